"""The communication screens: channel settings, templates, webhooks, the delivery log, campaigns."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from communications import forms, selectors, services
from communications.models import (
    Channel,
    EmailSettings,
    Message,
    MessageTemplate,
    SmsSettings,
    WebhookDelivery,
    WebhookSubscription,
    WhatsAppSettings,
)
from customers.models import Customer
from parties.views import StaffRequiredMixin, add_form_errors


class ChannelSettingsView(StaffRequiredMixin, TemplateView):
    """One channel's settings, and its "Send test" form; the test is sent by a worker."""

    template_name = "communications/channel_settings.html"
    channel = ""
    model = None
    form_class = None
    title = ""

    @property
    def permission_required(self) -> str:
        return f"communications.change_{self.model._meta.model_name}"

    def get_context_data(self, form=None, test_form=None, **kwargs):
        row = self.model.load()
        recent = Message.objects.filter(channel=self.channel, event="test").order_by("-created_at", "-pk")[:5]
        return super().get_context_data(
            title=self.title,
            form=form or self.form_class(instance=row),
            test_form=test_form or forms.TestSendForm(channel=self.channel),
            recent_tests=recent,
            channel=self.channel,
            **kwargs,
        )

    def post(self, request):
        if "send_test" in request.POST:
            test_form = forms.TestSendForm(request.POST, channel=self.channel)
            if not test_form.is_valid():
                messages.error(request, _("Please correct the test's address; nothing was sent."))
                return self.render_to_response(self.get_context_data(test_form=test_form))
            message = services.test_message_queue(
                channel=self.channel, to=test_form.cleaned_data["to"], user=request.user
            )
            messages.info(request, _("The test is being sent; its answer shows here."))
            return redirect("communications:message-detail", pk=message.pk)
        row = self.model.load()
        form = self.form_class(request.POST, instance=row)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form._meta.fields}
            try:
                services.channel_settings_save(
                    row=row,
                    values=values,
                    secret_field=f"{form.secret_name}_encrypted",
                    secret=form.cleaned_data.get(form.secret_name, ""),
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("%(title)s saved.") % {"title": self.title})
                return redirect(request.path)
        messages.error(request, _("Please correct the errors below; nothing was saved."))
        return self.render_to_response(self.get_context_data(form=form))


class EmailSettingsView(ChannelSettingsView):
    channel, model, form_class, title = (
        Channel.EMAIL,
        EmailSettings,
        forms.EmailSettingsForm,
        _("Email Communication Settings"),
    )


class SmsSettingsView(ChannelSettingsView):
    channel, model, form_class, title = Channel.SMS, SmsSettings, forms.SmsSettingsForm, _("SMS Communication Settings")


class WhatsAppSettingsView(ChannelSettingsView):
    channel, model, form_class, title = (
        Channel.WHATSAPP,
        WhatsAppSettings,
        forms.WhatsAppSettingsForm,
        _("WhatsApp Communication Settings"),
    )


class TemplateListView(StaffRequiredMixin, TemplateView):
    template_name = "communications/template_list.html"
    permission_required = "communications.view_messagetemplate"

    def get_context_data(self, **kwargs):
        from communications.rendering import PLACEHOLDERS

        return super().get_context_data(templates=selectors.template_list(), placeholders=PLACEHOLDERS, **kwargs)


class TemplateFormView(StaffRequiredMixin, TemplateView):
    template_name = "communications/template_form.html"

    @property
    def permission_required(self) -> str:
        return "communications.change_messagetemplate" if "pk" in self.kwargs else "communications.add_messagetemplate"

    def get_object(self):
        return get_object_or_404(MessageTemplate, pk=self.kwargs["pk"]) if "pk" in self.kwargs else None

    def get_context_data(self, form=None, **kwargs):
        from communications.rendering import PLACEHOLDERS

        form = form or forms.MessageTemplateForm(instance=self.object)
        return super().get_context_data(form=form, object=self.object, placeholders=PLACEHOLDERS, **kwargs)

    def post(self, request, **kwargs):
        form = forms.MessageTemplateForm(request.POST, instance=self.object or MessageTemplate())
        if form.is_valid():
            try:
                template = services.template_save(template=form.instance)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Template “%(name)s” saved.") % {"name": template})
                return redirect("communications:template-preview", pk=template.pk)
        messages.error(request, _("Please correct the errors below; nothing was saved."))
        return self.render_to_response(self.get_context_data(form=form))


class TemplateDeleteView(StaffRequiredMixin, TemplateView):
    template_name = "communications/confirm_delete.html"
    permission_required = "communications.delete_messagetemplate"

    def get_object(self):
        return get_object_or_404(MessageTemplate, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, back_url=reverse("communications:template-list"), **kwargs)

    def post(self, request, pk):
        name = str(self.object)
        services.template_delete(template=self.object)
        messages.success(request, _("Template “%(name)s” was deleted.") % {"name": name})
        return redirect("communications:template-list")


class TemplatePreviewView(StaffRequiredMixin, TemplateView):
    """The template rendered for a chosen customer (?customer=<id or membership number>)."""

    template_name = "communications/template_preview.html"
    permission_required = "communications.view_messagetemplate"

    def get_object(self):
        return get_object_or_404(MessageTemplate, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        wanted = self.request.GET.get("customer", "").strip()
        customers = Customer.objects.order_by("-pk")
        customer, error = None, ""
        if wanted:
            match = customers.filter(membership_number__iexact=wanted)
            if wanted.isdigit():
                match = match | customers.filter(pk=int(wanted))
            customer = match.first()
            if customer is None:
                error = _("No customer with the id or membership number “%(value)s”.") % {"value": wanted}
        else:
            customer = customers.first()
        preview = selectors.template_preview(template=self.object, customer=customer) if customer else None
        return super().get_context_data(object=self.object, preview=preview, wanted=wanted, error=error, **kwargs)


class WebhookListView(StaffRequiredMixin, TemplateView):
    template_name = "communications/webhook_list.html"
    permission_required = "communications.view_webhooksubscription"

    def get_context_data(self, **kwargs):
        return super().get_context_data(webhooks=WebhookSubscription.objects.order_by("name", "pk"), **kwargs)


class WebhookFormView(StaffRequiredMixin, TemplateView):
    template_name = "communications/webhook_form.html"

    @property
    def permission_required(self) -> str:
        return (
            "communications.change_webhooksubscription"
            if "pk" in self.kwargs
            else "communications.add_webhooksubscription"
        )

    def get_object(self):
        return get_object_or_404(WebhookSubscription, pk=self.kwargs["pk"]) if "pk" in self.kwargs else None

    def get_context_data(self, form=None, **kwargs):
        form = form or forms.WebhookForm(instance=self.object)
        deliveries = None
        if self.object:
            page = Paginator(selectors.webhook_log(filters={}, subscription=self.object), 25)
            deliveries = page.get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, object=self.object, deliveries=deliveries, **kwargs)

    def post(self, request, **kwargs):
        if "send_test" in request.POST and self.object:
            delivery = services.webhook_test_queue(subscription=self.object)
            messages.info(request, _("A sample payload is being sent; its answer shows here."))
            return redirect("communications:webhook-delivery", pk=delivery.pk)
        form = forms.WebhookForm(request.POST, instance=self.object or WebhookSubscription())
        if form.is_valid():
            try:
                subscription = services.subscription_save(
                    subscription=form.instance, secret=form.cleaned_data.get("secret", "")
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Webhook “%(name)s” saved.") % {"name": subscription})
                return redirect("communications:webhook-update", pk=subscription.pk)
        messages.error(request, _("Please correct the errors below; nothing was saved."))
        return self.render_to_response(self.get_context_data(form=form))


class WebhookDeleteView(TemplateDeleteView):
    permission_required = "communications.delete_webhooksubscription"

    def get_object(self):
        return get_object_or_404(WebhookSubscription, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"back_url": reverse("communications:webhook-list")}

    def post(self, request, pk):
        name = str(self.object)
        services.subscription_delete(subscription=self.object)
        messages.success(request, _("Webhook “%(name)s” was deleted.") % {"name": name})
        return redirect("communications:webhook-list")


class DeliveryLogView(StaffRequiredMixin, TemplateView):
    """Every message and webhook delivery, filterable by channel, state, event and customer."""

    template_name = "communications/log.html"
    permission_required = "communications.view_message"

    def get_context_data(self, **kwargs):
        form = forms.LogFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        kind = self.request.GET.get("kind", "messages")
        if filters.get("channel") == forms.LogFilterForm.KIND_WEBHOOK:
            kind = "webhooks"
        rows = selectors.webhook_log(filters=filters) if kind == "webhooks" else selectors.message_log(filters=filters)
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(filter_form=form, page_obj=page, kind=kind, **kwargs)


class MessageDetailView(StaffRequiredMixin, TemplateView):
    template_name = "communications/message_detail.html"
    permission_required = "communications.view_message"

    def get_object(self):
        try:
            return Message.objects.select_related("customer", "template").get(pk=self.kwargs["pk"])
        except Message.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        attempts = selectors.attempts_of(message=self.object)
        return super().get_context_data(message=self.object, attempts=attempts, **kwargs)


class WebhookDeliveryView(StaffRequiredMixin, TemplateView):
    template_name = "communications/webhook_delivery.html"
    permission_required = "communications.view_message"

    def get_object(self):
        return get_object_or_404(WebhookDelivery.objects.select_related("subscription"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        attempts = selectors.attempts_of(delivery=self.object)
        return super().get_context_data(delivery=self.object, attempts=attempts, **kwargs)


class CampaignView(StaffRequiredMixin, TemplateView):
    """From the customer list: one template to the list's current filter result, as a job."""

    template_name = "communications/campaign.html"
    permission_required = "communications.send_campaign"

    def filters(self):
        query = self.request.GET.copy()
        for key in ("template", "page", "page_size", "o"):
            query.pop(key, None)
        return query

    def get_context_data(self, **kwargs):
        from customers.selectors import customer_list

        form = forms.CampaignForm(self.request.GET if "template" in self.request.GET else None)
        filters = self.filters()
        customers = customer_list(filters=filters, user=self.request.user)
        reach = None
        if form.is_valid():
            reach = selectors.campaign_reach(customers=customers, channel=form.cleaned_data["template"].channel)
        return super().get_context_data(
            form=form,
            reach=reach,
            filters=filters,
            list_url=reverse("customers:customer-list") + "?" + filters.urlencode(),
            total=customers.order_by().count(),
            **kwargs,
        )

    def post(self, request):
        form = forms.CampaignForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a template."))
            return self.render_to_response(self.get_context_data())
        job = services.campaign_start(template=form.cleaned_data["template"], filters=self.filters(), user=request.user)
        messages.success(request, _("The messages are being queued; progress shows here."))
        return redirect("jobs:job-detail", pk=job.pk)
