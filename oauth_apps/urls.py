from django.urls import include, path

from common.ratelimit import rate_limited

from . import people_views, review, views

app_name = "oauth_apps"

# One application's pages, below its id (`pk` reaches every view).
application_urlpatterns = [
    path("", views.ApplicationDetailView.as_view(), name="detail"),
    path("credentials/", views.ApplicationCredentialsView.as_view(), name="credentials"),
    path("edit/", views.ApplicationUpdateView.as_view(), name="edit"),
    path("enable/", views.ApplicationEnableView.as_view(), name="enable"),
    path("disable/", views.ApplicationDisableView.as_view(), name="disable"),
    path("reset-secret/", views.ApplicationResetSecretView.as_view(), name="reset_secret"),
    path("rotate-secret/", views.ApplicationRotateSecretView.as_view(), name="rotate_secret"),
    path("end-rotation/", views.ApplicationEndRotationView.as_view(), name="end_rotation"),
    path("delete/", views.ApplicationDeleteView.as_view(), name="delete"),
    path("people/", people_views.ApplicationPeopleView.as_view(), name="people"),
    path("people/add/", people_views.MaintainerAddView.as_view(), name="add_maintainer"),
    path(
        "people/<int:user_pk>/remove/", people_views.MaintainerRemoveView.as_view(), name="remove_maintainer"
    ),
    path("transfer/", people_views.TransferOfferView.as_view(), name="transfer"),
    path("transfer/cancel/", people_views.TransferCancelView.as_view(), name="cancel_transfer"),
]

urlpatterns = [
    path("", views.ApplicationListView.as_view(), name="list"),
    path("new/", rate_limited("register")(views.ApplicationCreateView.as_view()), name="create"),
    path("<int:pk>/", include(application_urlpatterns)),
    path("offers/", people_views.OffersView.as_view(), name="offers"),
    path("offers/<int:offer_pk>/", people_views.OfferView.as_view(), name="offer"),
    path("bulk/", views.BulkActionView.as_view(), name="bulk"),
    path("review/", review.ReviewQueueView.as_view(), name="review_queue"),
    path("review/<int:pk>/", review.ReviewDecisionView.as_view(), name="review_decide"),
    path("pending-icon/<str:sha256>/", views.PendingIconView.as_view(), name="pending_icon"),
]

icon_urlpatterns = [
    path("icons/<str:sha256>", views.icon, name="icon"),
]
