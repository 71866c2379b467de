"""The portal's user model.

Joinery owns its user model from the first migration, because swapping AUTH_USER_MODEL after
tables reference it is a painful migration; fields join it as the portal needs them.
"""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person signed in to the portal; roles per pipeline are granted through memberships."""
