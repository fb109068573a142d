from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from meldpunt.hotline import views as hotline_views
from meldpunt.operations import views as operations_views
from meldpunt.stats import views as stats_views

# Reporter pages: Dutch at /, English under /en/. The language lives in the URL,
# so no language cookie is needed.
urlpatterns = i18n_patterns(
    path("", include("meldpunt.intake.urls")),
    path("", include("meldpunt.chat.urls")),
    # Off unless HOTLINE_PUBLIC_MONITOR (404 then): removal figures per hosting company.
    path("hosting-monitor/", hotline_views.public_monitor, name="hotline-public-monitor"),
    # Off (404) unless the line turned its public figures page on (docs/statistics.md).
    path("figures/<slug:slug>/", stats_views.public_figures, name="public-figures"),
    path("figures/<slug:slug>/<int:year>/", stats_views.public_figures, name="public-figures-year"),
    prefix_default_language=False,
)
urlpatterns += [
    path("api/v1/hashes/", include("meldpunt.hashes.api_urls")),
    # A hash shard's search for its front (404 unless MELDPUNT_HASH_SHARD and its token).
    path("internal/hashes/", include("meldpunt.hashes.shard_urls")),
    path("api/v1/partner-hotlines/", include("meldpunt.network.api_urls")),
    path("api/v1/", include("meldpunt.intake.api_urls")),
    path("staff/", include("meldpunt.vault.urls")),
    path("staff/cases/", include("meldpunt.cases.urls")),
    path("staff/chat/", include("meldpunt.chat.staff_urls")),
    path("staff/evidence/", include("meldpunt.evidence.urls")),
    path("staff/hotline/", include("meldpunt.hotline.urls")),
    path("staff/network/", include("meldpunt.network.urls")),
    path("staff/stats/", include("meldpunt.stats.urls")),
    path("partner/", include("meldpunt.network.partner_urls")),
    # The staff and partner pages' language button (a cookie; reporter pages ignore it).
    path("language/", set_language, name="set_language"),
    path("staff/admin/", admin.site.urls),
    path("health/", include("meldpunt.operations.urls")),
    # Off (404) unless MELDPUNT_METRICS_TOKEN is set; then only with that bearer token.
    path("metrics", operations_views.metrics, name="metrics"),
]

handler400 = "meldpunt.errorpages.bad_request"
handler403 = "meldpunt.errorpages.permission_denied"
handler404 = "meldpunt.errorpages.page_not_found"
handler500 = "meldpunt.errorpages.server_error"
