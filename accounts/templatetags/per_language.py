"""`{% per_language %}…{% end_per_language %}`: a stretch of a template drawn once per language.

Much of every page's frame — the head's links, the navigation, the list's
labels and buttons — depends only on the active language: each of its
`{% translate %}`, `{% url %}` and `{% static %}` tags otherwise costs a catalog
lookup or a URL reversal on every page view. Inside this tag the stretch is
drawn once per language, script prefix, URLconf and autoescaping for as long as
the compiled template lives (the whole process with the cached template loader),
and the text is reused.

So that nothing per request can end up in another request's page, the tag
accepts only what cannot depend on the request: text, comments, `{% translate %}`
and `{% blocktranslate %}` of constant text (no variables, no count),
`{% url %}` and `{% static %}` with constant arguments. Anything else inside it
— a variable, an `{% if %}`, `{% csrf_token %}` — is a TemplateSyntaxError when
the template loads.
"""

from django import template
from django.template.base import FilterExpression, TextNode, TokenType, Variable
from django.template.defaulttags import CommentNode, URLNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()


def _constant(value) -> bool:
    """Is `value` (a tag's argument) a literal, with no filter?"""
    if value is None or isinstance(value, str):
        return True
    if not isinstance(value, FilterExpression) or value.filters:
        return False
    # A literal's FilterExpression holds the value itself, or (after TranslateNode wraps it)
    # a Variable that is a literal: one with no lookups.
    return not isinstance(value.var, Variable) or value.var.lookups is None


def _constant_node(node) -> bool:
    if isinstance(node, TextNode | CommentNode):
        return True
    if isinstance(node, TranslateNode):
        return node.asvar is None and _constant(node.filter_expression) and _constant(node.message_context)
    if isinstance(node, BlockTranslateNode):
        return (
            not node.extra_context
            and node.countervar is None
            and not node.plural
            and node.asvar is None
            and _constant(node.message_context)
            and all(token.token_type == TokenType.TEXT for token in node.singular)
        )
    if isinstance(node, URLNode):
        arguments = [node.view_name, *node.args, *node.kwargs.values()]
        return node.asvar is None and all(_constant(argument) for argument in arguments)
    if isinstance(node, StaticNode):
        return node.varname is None and _constant(node.path)
    return False


class PerLanguageNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.drawn = {}

    def render(self, context):
        key = (get_language(), get_script_prefix(), get_urlconf(), context.autoescape)
        text = self.drawn.get(key)
        if text is None:
            text = self.drawn[key] = self.nodelist.render(context)
        return text


@register.tag
def per_language(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% per_language %} takes no arguments.")
    nodelist = parser.parse(("end_per_language",))
    parser.delete_first_token()
    for node in nodelist:
        if not _constant_node(node):
            held = node.token.contents if node.token else repr(node)
            raise template.TemplateSyntaxError(
                "{% per_language %} may hold only text, constant {% translate %}, {% blocktranslate %},"
                f" {{% url %}} and {{% static %}}; it holds {held!r}."
            )
    return PerLanguageNode(nodelist)
