"""The assessor app: log in, find attempts, review, grade, sign, record prior learning."""
