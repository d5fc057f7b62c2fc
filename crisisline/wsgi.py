import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisline.settings")
application = get_wsgi_application()

# The keyring's identity is compared with the database's once the app is loaded
# (gunicorn runs no system checks): production stops here when they differ.
from calls.checks import refuse_a_keyring_that_is_not_ours  # noqa: E402

refuse_a_keyring_that_is_not_ours()
