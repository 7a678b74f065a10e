using System.Security.Claims;
using System.Text.Encodings.Web;
using Cluster.Grains.Auth;
using Cluster.Grains.Platforms;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cluster.Ingest.Auth;

/// <summary>
/// Resolves "Authorization: Bearer &lt;token&gt;" by the token's SHA-256 (the only form stored). Known tokens are
/// cached by hash; tokens are never revoked in v1, so the cache cannot go stale.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IAdminStore store, BearerTokenCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var hash = Tokens.Hash(header["Bearer ".Length..].Trim());
        if (!cache.Principals.TryGetValue(hash, out var principal))
        {
            principal = await store.FindPrincipalAsync(hash, Context.RequestAborted);
            if (principal is null)
            {
                return AuthenticateResult.Fail("Unknown token.");
            }
            cache.Principals[hash] = principal;
        }
        var claims = new List<Claim>
        {
            new(AuthPolicies.KindClaim, principal.Kind.ToString().ToLowerInvariant()),
            new(AuthPolicies.IdClaim, principal.Id),
            new(AuthPolicies.RoleClaim, principal.Role),
        };
        claims.AddRange(principal.Queues.Select(q => new Claim(AuthPolicies.QueueClaim, q)));
        var identity = new ClaimsIdentity(claims, AuthPolicies.Scheme, AuthPolicies.IdClaim, AuthPolicies.RoleClaim);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), AuthPolicies.Scheme));
    }

    /// <summary>RFC 6750 §3: a 401 names the scheme; the problem body (errors: Authorization) is written by the status-code pages.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = AuthPolicies.Scheme;
        return base.HandleChallengeAsync(properties);
    }
}
