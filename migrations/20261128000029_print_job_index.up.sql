-- Lulu's webhooks name the print job: find its order without reading every order, and
-- let one print job belong to one order only.
CREATE UNIQUE INDEX book_orders_provider_job ON book_orders (provider, provider_job_id)
    WHERE provider_job_id IS NOT NULL;
