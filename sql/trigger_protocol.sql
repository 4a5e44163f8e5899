-- The C trigger functions check how they were declared (src/pg/trigger_protocol.hpp): a row trigger
-- declared AFTER or FOR EACH STATEMENT is an error (39P01) that names the function, never a crash on a
-- tuple that is not there. (PostgreSQL itself refuses to call a trigger function outside a trigger.)
\set VERBOSITY default
CREATE TABLE public.trigger_probe (x int);

CREATE TRIGGER probe AFTER INSERT ON public.trigger_probe
    FOR EACH ROW EXECUTE FUNCTION capi.outbox_row_trigger();
INSERT INTO public.trigger_probe VALUES (1);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER probe ON public.trigger_probe;

CREATE TRIGGER probe BEFORE INSERT ON public.trigger_probe
    FOR EACH STATEMENT EXECUTE FUNCTION capi.destinations_row_trigger();
INSERT INTO public.trigger_probe VALUES (1);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER probe ON public.trigger_probe;

-- The statement trigger only needs to be called as a trigger: any timing works.
CREATE TRIGGER probe AFTER INSERT ON public.trigger_probe
    FOR EACH STATEMENT EXECUTE FUNCTION capi.destinations_changed();
INSERT INTO public.trigger_probe VALUES (1);
SELECT count(*) FROM public.trigger_probe;

DROP TABLE public.trigger_probe;
