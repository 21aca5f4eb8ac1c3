"""Web Push subscriptions of members' apps and the pushes owed to them."""

from __future__ import annotations

from django.db import models


class PushSubscription(models.Model):
    """Where an app wants its notifications pushed (RFC 8030), one per access token, as in Mastodon.

    `key_p256dh` and `key_auth` are the client's keys (RFC 8291), as given;
    `standard` says whether it reads RFC 8291's aes128gcm or the earlier
    aesgcm draft, which Mastodon's apps used before 4.4. `alerts` maps
    notification types to whether they are pushed; `policy` says from whom.
    """

    class Policy(models.TextChoices):
        ALL = "all"
        FOLLOWED = "followed"
        FOLLOWER = "follower"
        NONE = "none"

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="push_subscriptions")
    # Revoking the token ends the subscription with it.
    access_token = models.OneToOneField(
        "oauth2_provider.AccessToken", on_delete=models.CASCADE, related_name="push_subscription"
    )
    endpoint = models.URLField(max_length=2000)
    key_p256dh = models.CharField(max_length=100)
    key_auth = models.CharField(max_length=50)
    standard = models.BooleanField(default=False)
    alerts = models.JSONField(default=dict, blank=True)
    policy = models.CharField(max_length=10, choices=Policy.choices, default=Policy.ALL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.account_id}"


class PushDelivery(models.Model):
    """One push of a notification to one subscription, retried with back-off until it succeeds.

    Pending rows whose `next_attempt_at` has come are the work queue; a
    worker claims a row by moving `next_attempt_at` to the end of a lease.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"
        ABANDONED = "abandoned"

    subscription = models.ForeignKey(PushSubscription, on_delete=models.CASCADE, related_name="deliveries")
    notification = models.ForeignKey("timeline.Notification", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "push deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscription", "notification"], name="push_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="push_delivery_due", condition=models.Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"push of {self.notification_id} to {self.subscription_id} ({self.state})"
