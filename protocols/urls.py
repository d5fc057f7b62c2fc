from django.urls import path

from protocols import offline, paper, views

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
