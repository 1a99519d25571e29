// A single-page app, as a developer would write one with oauth4webapi: authorization
// code + PKCE as a public client, the code exchanged by fetch from this (other) origin,
// then the API, whose 403 challenge the page reads from WWW-Authenticate.
import * as oauth from '/oauth4webapi.js';
import config from '/config.js';

const insecure = { [oauth.allowInsecureRequests]: true }; // the portal listens on loopback http
const client = { client_id: config.client_id };
const show = (value) => {
  document.getElementById('result').textContent = JSON.stringify(value);
};

async function discover() {
  const issuer = new URL(config.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
}

async function start(as) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem('pkce', JSON.stringify({ verifier, state, nonce }));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    scope: 'openid accounts.self:read',
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

async function finish(as) {
  const { verifier, state, nonce } = JSON.parse(sessionStorage.getItem('pkce'));
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), state);
  const response = await oauth.authorizationCodeGrantRequest(
    as, client, oauth.None(), params, config.redirect_uri, verifier, insecure,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: nonce,
    requireIdToken: true,
  });
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  const self = await oauth.protectedResourceRequest(
    tokens.access_token, 'GET', new URL(config.api + '/people/@self'), undefined, undefined, insecure,
  );
  const profile = await self.json();
  let challenge = null;
  try {
    await oauth.protectedResourceRequest(
      tokens.access_token, 'GET', new URL(config.api + '/people'), undefined, undefined, insecure,
    );
  } catch (error) {
    if (!(error instanceof oauth.WWWAuthenticateChallengeError)) throw error;
    challenge = { status: error.response.status, ...error.cause[0] };
  }
  show({ sub: claims.sub, iss: claims.iss, profile, challenge });
}

try {
  const as = await discover();
  if (new URLSearchParams(location.search).has('state')) {
    await finish(as);
  } else {
    await start(as);
  }
} catch (error) {
  show({ failure: { name: error.constructor.name, code: error.code ?? null, message: String(error.message) } });
}
