"""The clerks: claims and decisions, the queue, the 24-hour service level, supervision and its
figures, the timeline."""
