// Drives the live portal with a certified OAuth 2.0 / OpenID Connect client library.
//
// Usage: node driver.mjs   (one JSON request a line on stdin, one JSON answer a line on stdout;
//        pytest keeps one process for the session instead of starting Node for every step)
//
// request: {command, library: "openid-client" | "oauth4webapi", issuer, algorithm: "oidc" | "oauth2",
//           client: {client_id, client_secret?, private_jwk?, auth: "basic" | "post" | "none" |
//                    "private_key_jwt", redirect_uri}, ...}
// commands:
//   discover        the metadata as the library accepted it
//   begin           an authorization URL with PKCE S256, state and (with openid) nonce
//   finish          the callback read back by the library, the code exchanged (ID token validated,
//                   signature included; its header's kid reported), userinfo, refresh rotation and replay refusal,
//                   introspection, revocation
//   callback_error  an error redirect read back through the library's own response validation
//
// The only allowance made is plain http, because the live server listens on loopback.
// Every failure the library raises is reported (name, code, error), never swallowed: pytest
// asserts on the output and a non-zero exit fails the test.
import { createInterface } from 'node:readline';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';

const insecure = { [oauth.allowInsecureRequests]: true };

function describeError(error) {
  const challenges = Array.isArray(error?.cause)
    ? error.cause.map((c) => ({ scheme: c.scheme, parameters: c.parameters }))
    : null;
  return {
    name: error?.constructor?.name ?? 'Error',
    code: error?.code ?? null,
    error: error?.error ?? error?.cause?.error ?? challenges?.[0]?.parameters?.error ?? null,
    challenges,
    error_description: error?.error_description ?? null,
    status: error?.status ?? error?.response?.status ?? null,
    message: String(error?.message ?? error),
  };
}

async function attempt(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, failure: describeError(error) };
  }
}

// private_key_jwt: the client's EC P-256 private key (a JWK made by the test), as the library wants it.
async function signingKey(c) {
  const key = await crypto.subtle.importKey(
    'jwk', c.private_jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'],
  );
  return { key, kid: c.private_jwk.kid };
}

// The client's authentication method. Both libraries name their methods alike, so `library`
// is either module (openid-client or oauth4webapi).
async function clientAuth(library, c) {
  if (c.auth === 'basic') return library.ClientSecretBasic(c.client_secret);
  if (c.auth === 'post') return library.ClientSecretPost(c.client_secret);
  if (c.auth === 'private_key_jwt') return library.PrivateKeyJwt(await signingKey(c));
  return library.None();
}

// --- openid-client -----------------------------------------------------------------------------

async function openidClientConfig(req) {
  const config = await client.discovery(
    new URL(req.issuer),
    req.client.client_id,
    undefined,
    await clientAuth(client, req.client),
    { execute: [client.allowInsecureRequests], algorithm: req.algorithm },
  );
  // Validate ID token signatures against the JWKS, not only the claims.
  client.enableNonRepudiationChecks(config);
  return config;
}

const openidClient = {
  async discover(req) {
    const config = await openidClientConfig(req);
    return { metadata: config.serverMetadata() };
  },

  async begin(req) {
    const config = await openidClientConfig(req);
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = req.scope.split(' ').includes('openid') ? client.randomNonce() : null;
    const parameters = {
      redirect_uri: req.client.redirect_uri,
      scope: req.scope,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      ...(nonce ? { nonce } : {}),
      ...(req.extra || {}),
    };
    const url = client.buildAuthorizationUrl(config, parameters);
    return { authorization_url: url.href, code_verifier: codeVerifier, state, nonce };
  },

  async callback_error(req) {
    const config = await openidClientConfig(req);
    const result = await attempt(() =>
      client.authorizationCodeGrant(config, new URL(req.callback_url), {
        pkceCodeVerifier: req.code_verifier,
        expectedState: req.state,
      }),
    );
    return result.ok ? { accepted: true } : { accepted: false, failure: result.failure };
  },

  async finish(req) {
    const config = await openidClientConfig(req);
    const out = {};
    const openid = req.nonce !== null && req.nonce !== undefined;
    const tokens = await client.authorizationCodeGrant(config, new URL(req.callback_url), {
      pkceCodeVerifier: req.code_verifier,
      expectedState: req.state,
      ...(openid ? { expectedNonce: req.nonce, idTokenExpected: true } : {}),
    });
    out.token = { token_type: tokens.token_type, expires_in: tokens.expires_in, scope: tokens.scope };
    if (openid) {
      const claims = tokens.claims();
      out.id_token_claims = claims;
      out.id_token_kid = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url')).kid;
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      out.userinfo = userinfo;
    }
    if (req.reuse_code) {
      out.code_reuse = await attempt(() =>
        client.authorizationCodeGrant(config, new URL(req.callback_url), {
          pkceCodeVerifier: req.code_verifier,
          expectedState: req.state,
        }),
      );
      const resource = await attempt(() =>
        client.fetchProtectedResource(config, tokens.access_token, new URL(req.resource_url), 'GET'),
      );
      out.first_token_after_reuse = resource.ok ? { ok: true, status: resource.value.status } : resource;
      return out;
    }
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    out.refresh_rotated = refreshed.refresh_token !== tokens.refresh_token;
    out.introspection = await attempt(() => client.tokenIntrospection(config, refreshed.access_token));
    out.revocation = await attempt(() => client.tokenRevocation(config, refreshed.refresh_token));
    out.refresh_after_revocation = await attempt(() => client.refreshTokenGrant(config, refreshed.refresh_token));
    out.replay = await attempt(() => client.refreshTokenGrant(config, tokens.refresh_token));
    return out;
  },
};

// --- oauth4webapi ------------------------------------------------------------------------------

async function discoverAs(req) {
  const issuer = new URL(req.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: req.algorithm, ...insecure });
  return oauth.processDiscoveryResponse(issuer, response);
}

const oauth4webapi = {
  async discover(req) {
    return { metadata: await discoverAs(req) };
  },

  async begin(req) {
    const as = await discoverAs(req);
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = req.scope.split(' ').includes('openid') ? oauth.generateRandomNonce() : null;
    const url = new URL(as.authorization_endpoint);
    url.searchParams.set('client_id', req.client.client_id);
    url.searchParams.set('redirect_uri', req.client.redirect_uri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', req.scope);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    if (nonce) url.searchParams.set('nonce', nonce);
    for (const [key, value] of Object.entries(req.extra || {})) url.searchParams.set(key, value);
    return { authorization_url: url.href, code_verifier: codeVerifier, state, nonce };
  },

  async callback_error(req) {
    const as = await discoverAs(req);
    const result = await attempt(async () =>
      oauth.validateAuthResponse(as, { client_id: req.client.client_id }, new URL(req.callback_url), req.state),
    );
    return result.ok ? { accepted: true } : { accepted: false, failure: result.failure };
  },

  async finish(req) {
    const as = await discoverAs(req);
    const c = { client_id: req.client.client_id };
    const auth = await clientAuth(oauth, req.client);
    const out = {};
    const openid = req.nonce !== null && req.nonce !== undefined;
    const params = oauth.validateAuthResponse(as, c, new URL(req.callback_url), req.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as, c, auth, params, req.client.redirect_uri, req.code_verifier, insecure,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, c, response, {
      expectedNonce: openid ? req.nonce : oauth.expectNoNonce,
      requireIdToken: openid,
    });
    out.token = { token_type: tokens.token_type, expires_in: tokens.expires_in, scope: tokens.scope };
    if (openid) {
      await oauth.validateApplicationLevelSignature(as, response, insecure);
      const claims = oauth.getValidatedIdTokenClaims(tokens);
      out.id_token_claims = claims;
      out.id_token_kid = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url')).kid;
      const userinfoResponse = await oauth.userInfoRequest(as, c, tokens.access_token, insecure);
      out.userinfo = await oauth.processUserInfoResponse(as, c, claims.sub, userinfoResponse);
    }
    if (req.reuse_code) {
      out.code_reuse = await attempt(async () =>
        oauth.processAuthorizationCodeResponse(
          as, c,
          await oauth.authorizationCodeGrantRequest(
            as, c, auth, params, req.client.redirect_uri, req.code_verifier, insecure,
          ),
        ),
      );
      const resource = await attempt(() =>
        oauth.protectedResourceRequest(
          tokens.access_token, 'GET', new URL(req.resource_url), undefined, undefined, insecure,
        ),
      );
      out.first_token_after_reuse = resource.ok ? { ok: true, status: resource.value.status } : resource;
      return out;
    }
    const refreshed = await oauth.processRefreshTokenResponse(
      as, c, await oauth.refreshTokenGrantRequest(as, c, auth, tokens.refresh_token, insecure),
    );
    out.refresh_rotated = refreshed.refresh_token !== tokens.refresh_token;
    const refresh = (token) => async () =>
      oauth.processRefreshTokenResponse(
        as, c, await oauth.refreshTokenGrantRequest(as, c, auth, token, insecure),
      );
    out.introspection = await attempt(async () =>
      oauth.processIntrospectionResponse(
        as, c, await oauth.introspectionRequest(as, c, auth, refreshed.access_token, insecure),
      ),
    );
    out.revocation = await attempt(async () =>
      oauth.processRevocationResponse(
        await oauth.revocationRequest(as, c, auth, refreshed.refresh_token, insecure),
      ),
    );
    out.refresh_after_revocation = await attempt(refresh(refreshed.refresh_token));
    out.replay = await attempt(refresh(tokens.refresh_token));
    return out;
  },
};

const libraries = { 'openid-client': openidClient, oauth4webapi };

async function answer(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (error) {
    return { unexpected: describeError(error) };
  }
  const library = libraries[req.library];
  if (!library || !library[req.command]) {
    return { unexpected: { message: `unknown library or command: ${req.library} ${req.command}` } };
  }
  try {
    return (await library[req.command](req)) ?? null;
  } catch (error) {
    return { unexpected: describeError(error) };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim()) process.stdout.write(JSON.stringify(await answer(line)) + '\n');
}
