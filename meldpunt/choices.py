"""The empty choice of a select list, in the language of the page.

Django's own label for it ("- Select an option -" since 6.1, "---------"
before) has no Dutch translation. The first app to be ready
(vault.apps.StaffAdminConfig) makes this Django's label for every select list
of the project, the admin's included; tests/test_translations.py checks every
form.
"""

from django.utils.translation import gettext_lazy as _

EMPTY_CHOICE_LABEL = _("- Choose -")
