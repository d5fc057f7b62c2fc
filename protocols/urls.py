from django.urls import path

from protocols import offline, paper, resource_views, views

app_name = "protocols"

urlpatterns = [
    path("", views.library, name="library"),
    path("new/", views.new, name="new"),
    path("stale/", views.stale, name="stale"),
    path("preview/", views.preview, name="preview"),
    path("export/protocols.zip", views.export_bundle, name="export"),
    path("import/", views.import_bundle, name="import"),
    path("cards/", paper.cards, name="cards"),
    path("cards/<slug:category>/", paper.wallet_card, name="card"),
    path("resources/", resource_views.resources, name="resources"),
    path("resources/new/", resource_views.resource_new, name="resource_new"),
    path("resources/print/", resource_views.resource_print, name="resource_print"),
    path("resources/map/", resource_views.resource_map, name="resource_map"),
    path("resources/export/", resource_views.resource_export, name="resource_export"),
    path(
        "resources/export/resources.zip",
        resource_views.resource_export_zip,
        name="resource_export_zip",
    ),
    path("resources/referrals/", resource_views.resource_referrals, name="resource_referrals"),
    path("resources/import/", resource_views.resource_import, name="resource_import"),
    path("resources/public/", resource_views.resource_public, name="resource_public"),
    path("resources/<slug:slug>/", resource_views.resource, name="resource"),
    path("resources/<slug:slug>/edit/", resource_views.resource_edit, name="resource_edit"),
    path("resources/<slug:slug>/verify/", resource_views.resource_verify, name="resource_verify"),
    path(
        "resources/<slug:slug>/history/", resource_views.resource_history, name="resource_history"
    ),
    path(
        "resources/<slug:slug>/revisions/<int:number>/restore/",
        resource_views.resource_restore,
        name="resource_restore",
    ),
    # One row a page: alike in shape to the resource rows above, each routing elsewhere.
    path("trees/<slug:slug>/", views.tree, name="tree"),
    path("trees/<slug:slug>/offline/", offline.tree_offline, name="tree_offline"),
    path("trees/<slug:slug>/edit/", views.tree_edit, name="tree_edit"),
    path("trees/<slug:slug>/tree.yaml", views.tree_yaml, name="tree_yaml"),
    path("trees/<slug:slug>/tree.json", views.tree_json, name="tree_json"),
    path("<slug:slug>/", views.page, name="page"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/print/", views.print_view, name="print"),
    path("<slug:slug>/history/", views.history, name="history"),
    path("<slug:slug>/compare/", views.compare, name="compare"),
    path("<slug:slug>/review/", views.review, name="review"),
    path("<slug:slug>/revisions/<int:number>/", views.revision, name="revision"),
    path("<slug:slug>/revisions/<int:number>/restore/", views.restore, name="restore"),
]
