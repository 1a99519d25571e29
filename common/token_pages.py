"""Pages that make a token and show it once: personal API tokens, initial access tokens for registration."""


class NewTokenPageMixin:
    """For a FormView whose valid form makes a token: the page shows the token once, never cached.

    The template gets `new_token` ({"value", "token"} right after making one,
    else None); an invalid form is redrawn with status 400.
    """

    new_token = None

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "new_token": self.new_token}

    def show_new_token(self, value: str, token):
        self.new_token = {"value": value, "token": token}
        response = self.render_to_response(self.get_context_data(form=self.form_class()))
        # Shown once: never from a cache, never from the back button.
        response["Cache-Control"] = "no-store"
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
