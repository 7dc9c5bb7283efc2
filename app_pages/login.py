"""Login and sign-up for anonymous visitors."""

from ui import login_form, runtime

login_form.render(runtime.context())
