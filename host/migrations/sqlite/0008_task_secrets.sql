-- Secrets of a task's config (fields its script's schema marks writeOnly), sealed under the data
-- dir's secret.key as a JSON object {pointer: sealed}; the config itself shows them "[redacted]".
ALTER TABLE tasks ADD COLUMN secrets TEXT;
