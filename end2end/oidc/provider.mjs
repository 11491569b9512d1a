// A real OpenID provider for Regatta's single sign-on tests: panva/oidc-provider (an OpenID
// Certified implementation) with one confidential client, PKCE required, and a plain login form
// as its interaction (the library leaves the login page to its host). Accounts live in a JSON
// file, read at every login and claims request, so a test can change someone's groups between
// two logins:
//   {"alice": {"password": "…", "email": "alice@example.test", "groups": ["platform-admins"]}}
//
// Environment: PORT, ACCOUNTS_FILE, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI.
// Prints "listening on <issuer>" once it serves.

import http from 'node:http';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const { PORT, ACCOUNTS_FILE, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } = process.env;
const issuer = `http://127.0.0.1:${PORT}`;

const accounts = () => JSON.parse(readFileSync(ACCOUNTS_FILE, 'utf8'));

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['regatta-test-oidc-cookie-key'] },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const now = accounts()[id] ?? {};
        return { sub: id, preferred_username: id, name: id, email: now.email, groups: now.groups ?? [] };
      },
    };
  },
  // Regatta is a first-party client: consent is implied (the documented way to skip it).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email groups');
    await grant.save();
    return grant;
  },
});

const form = (uid, error) => `<!doctype html><title>Test IdP</title>
<form method="post" action="/interaction/${uid}/login" aria-label="IdP login">
${error ? `<p role="alert">${error}</p>` : ''}
<label>Login <input name="login" autofocus></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button>
</form>`;

const body = (req) => new Promise((resolve) => {
  let data = '';
  req.on('data', (chunk) => { data += chunk; });
  req.on('end', () => resolve(new URLSearchParams(data)));
});

const callback = provider.callback();
http.createServer(async (req, res) => {
  const login = req.url.match(/^\/interaction\/([^/?]+)\/login$/);
  const page = req.url.match(/^\/interaction\/([^/?]+)$/);
  try {
    if (page && req.method === 'GET') {
      const details = await provider.interactionDetails(req, res);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(form(details.uid));
    } else if (login && req.method === 'POST') {
      const details = await provider.interactionDetails(req, res);
      const fields = await body(req);
      const account = accounts()[fields.get('login')];
      if (!account || account.password !== fields.get('password')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(form(details.uid, 'Wrong login or password.'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: fields.get('login') } });
    } else {
      callback(req, res);
    }
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(String(error));
  }
}).listen(Number(PORT), '127.0.0.1', () => console.log(`listening on ${issuer}`));
