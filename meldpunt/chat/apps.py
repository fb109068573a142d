from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "meldpunt.chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from meldpunt.chat.selectors import chat_reporter_link
        from meldpunt.chat.services import chats_purge, chats_release_on_sign_out
        from meldpunt.intake.reporter_links import reporter_link_register
        from meldpunt.intake.retention import retention_purge_register

        # Staff who sign out mid-chat: their chats go back to the queue, not into limbo.
        user_logged_out.connect(chats_release_on_sign_out, dispatch_uid="chat-release")
        # Transcripts without a receipt go with the daily retention purge (intake cannot
        # import us, so we register with it).
        retention_purge_register(chats_purge)
        # The report form and the line's page offer the chat while it is open (intake
        # cannot import us either).
        reporter_link_register(chat_reporter_link)
