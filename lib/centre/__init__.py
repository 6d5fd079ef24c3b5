"""A centre's work: uploads, submitting (alone or as a batch), re-submission and the Tracker."""
