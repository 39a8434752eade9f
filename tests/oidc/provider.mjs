// A real OpenID provider for the browser suite: `oidc-provider` from npm (a certified OpenID
// Connect implementation), configured with one confidential client (fallwerk's workplace) and a
// few test accounts. People log in through the provider's own login and consent pages (its
// development interactions: any password is accepted, the login names the account).
//
// Usage: node tests/oidc/provider.mjs MODULE_DIR
//   MODULE_DIR      the installed oidc-provider package (tests/.browser/node_modules/oidc-provider)
// Environment:
//   OIDC_ISSUER     e.g. http://localhost:4100 (the port is taken from it)
//   OIDC_REDIRECT   the client's only redirect URI (fallwerk's /login/oidc/callback)
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
// Prints "ready" once it listens.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const moduleDir = process.argv[2];
const { default: Provider } = await import(pathToFileURL(join(moduleDir, 'lib/index.js')).href);

const need = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return v;
};
const issuer = need('OIDC_ISSUER');
const redirect = need('OIDC_REDIRECT');
const clientId = need('OIDC_CLIENT_ID');
const clientSecret = need('OIDC_CLIENT_SECRET');

// The accounts the provider knows. `sb1` is also in fallwerk's user directory; `fremd` is not.
const accounts = {
  sb1: { given_name: 'Sachbearbeitung', family_name: 'Eins', email: 'sb1@nord.example' },
  fremd: { given_name: 'Frieda', family_name: 'Fremd', email: 'fremd@anderswo.example' },
};

async function findAccount(_ctx, id) {
  const a = accounts[id];
  if (!a) return undefined;
  return {
    accountId: id,
    async claims() {
      return { sub: id, name: `${a.given_name} ${a.family_name}`, ...a };
    },
  };
}

// A fresh RSA signing key per run: fallwerk must read it from the JWKS.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: 'jwk' }), kid: `test-${Date.now()}`, use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirect],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signing] },
  findAccount,
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    email: ['email'],
  },
  // The profile claims go into the id_token too (fallwerk reads no userinfo).
  conformIdTokenClaims: false,
  // Every client must use PKCE here, as a strict authority's provider would.
  pkce: { required: () => true },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: true } },
});

const port = Number(new URL(issuer).port);
provider.listen(port, '127.0.0.1', () => console.log('ready'));
