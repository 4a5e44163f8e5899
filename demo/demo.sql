-- pg_capi demo, run by scripts/demo in a throwaway cluster with pg_capi preloaded.
\pset footer off
\echo
\echo '== pg_capi is preloaded and installed'
SHOW shared_preload_libraries;
CREATE EXTENSION pg_capi;
SELECT extname, extversion FROM pg_extension WHERE extname = 'pg_capi';

\echo
\echo '== SHA-256 of identifiers, checked against the digests the platforms publish'
SELECT input,
       capi.sha256_hex(input) AS sha256,
       capi.sha256_hex(input) = expected AS matches_published
FROM (VALUES
    ('john_smith@gmail.com', '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f'),
    ('16505551212',          'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176'),
    ('valéry',               '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c')
) AS published(input, expected);
