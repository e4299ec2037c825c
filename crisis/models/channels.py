from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEIBO = "weibo", _("Weibo")
    WECHAT = "wechat", _("WeChat official account")
    DOUYIN = "douyin", _("Douyin / short video")
    LIVESTREAM = "livestream", _("Livestream")
    PRESS_RELEASE = "press_release", _("Press release")
    WEBSITE = "website", _("Company website")
    CUSTOMER_SERVICE = "customer_service", _("Customer-service script")
    X = "x", _("X")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    FOUNDER_ACCOUNT = "founder_account", _("Founder's personal account")
    INTERNAL = "internal", _("Internal")
    OTHER = "other", _("Other")
