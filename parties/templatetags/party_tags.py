from django import forms, template

register = template.Library()


@register.simple_tag
def render_widget(bound_field):
    """Render a field's widget with Bootstrap's classes and its error tied to it."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": " ".join(filter(None, [widget.attrs.get("class", ""), css]))}
    described_by = [widget.attrs.get("aria-describedby", "")]
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described_by.append(f"{bound_field.auto_id}_error")
    if any(described_by):
        attrs["aria-describedby"] = " ".join(filter(None, described_by))
    return bound_field.as_widget(attrs=attrs)
