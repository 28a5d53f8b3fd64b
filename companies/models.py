# The domain models arrive with the filing issue; registry exchanges with the X-Road issue.
