-- One destination per platform (Google twice: Data Manager and the Ads API), all pointing at the
-- loopback stand-in (psql variable url). Used by the demo (scripts/demo), TAP 170 and
-- bench/platforms_bench.sh. The ids and tokens are made up; real ones are described in README.md
-- ("Platforms"). Google and LinkedIn obtain OAuth access tokens from the stand-in's token endpoints.
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES
  ('meta_shop', 'meta', '{"pixel_id": "1234567890"}',
   '{"access_token": "EAAB-demo-token-not-real"}', :'url'),
  ('google_dm', 'google',
   '{"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "555000111"}}',
   '{"client_id": "demo.apps.googleusercontent.com", "client_secret": "demo-secret", "refresh_token": "1//demo-refresh"}',
   :'url'),
  ('google_ads', 'google',
   '{"api": "ads", "operating_account_id": "2345678901", "conversion_actions": {"Purchase": "555000111"}}',
   '{"client_id": "demo.apps.googleusercontent.com", "client_secret": "demo-secret", "refresh_token": "1//demo-refresh", "developer_token": "demo-developer-token"}',
   :'url'),
  ('tiktok_shop', 'tiktok', '{"pixel_code": "C4ABCDEF12345"}', '{"access_token": "tiktok-demo-token"}', :'url'),
  ('linkedin_shop', 'linkedin', '{"conversion_rules": {"Purchase": ["urn:lla:llaPartnerConversion:1001"]}}',
   '{"client_id": "demo-client", "client_secret": "demo-secret", "refresh_token": "demo-refresh"}', :'url'),
  ('snap_shop', 'snap', '{"pixel_id": "a1b2c3d4-0000-4000-8000-123456789abc"}', '{"access_token": "snap-demo-token"}', :'url'),
  ('reddit_shop', 'reddit', '{"pixel_id": "a2_demo1234"}', '{"access_token": "reddit-demo-token"}', :'url'),
  ('pinterest_shop', 'pinterest', '{"ad_account_id": "549755885175"}', '{"access_token": "pina-demo-token"}', :'url');
