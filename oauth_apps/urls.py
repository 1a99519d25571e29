from django.urls import path

from common.ratelimit import rate_limited

from . import people_views, review, views

app_name = "oauth_apps"

urlpatterns = [
    path("", views.ApplicationListView.as_view(), name="list"),
    path("new/", rate_limited("register")(views.ApplicationCreateView.as_view()), name="create"),
    path("<int:pk>/", views.ApplicationDetailView.as_view(), name="detail"),
    path("<int:pk>/credentials/", views.ApplicationCredentialsView.as_view(), name="credentials"),
    path("<int:pk>/edit/", views.ApplicationUpdateView.as_view(), name="edit"),
    path("<int:pk>/enable/", views.ApplicationEnableView.as_view(), name="enable"),
    path("<int:pk>/disable/", views.ApplicationDisableView.as_view(), name="disable"),
    path("<int:pk>/reset-secret/", views.ApplicationResetSecretView.as_view(), name="reset_secret"),
    path("<int:pk>/rotate-secret/", views.ApplicationRotateSecretView.as_view(), name="rotate_secret"),
    path("<int:pk>/end-rotation/", views.ApplicationEndRotationView.as_view(), name="end_rotation"),
    path("<int:pk>/delete/", views.ApplicationDeleteView.as_view(), name="delete"),
    path("<int:pk>/people/", people_views.ApplicationPeopleView.as_view(), name="people"),
    path("<int:pk>/people/add/", people_views.MaintainerAddView.as_view(), name="add_maintainer"),
    path(
        "<int:pk>/people/<int:user_pk>/remove/",
        people_views.MaintainerRemoveView.as_view(),
        name="remove_maintainer",
    ),
    path("<int:pk>/transfer/", people_views.TransferOfferView.as_view(), name="transfer"),
    path("<int:pk>/transfer/cancel/", people_views.TransferCancelView.as_view(), name="cancel_transfer"),
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
