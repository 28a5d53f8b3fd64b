"""After submission: the registry checks over X-Road, the notarial deed, and the decision."""
