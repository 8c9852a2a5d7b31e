DROP INDEX IF EXISTS book_orders_provider_job;
