using Cluster.Ingest.Auth;
using Cluster.Ingest.Problems;
using Microsoft.AspNetCore.Authentication;

namespace Cluster.Silo.Hosting;

/// <summary>Bearer tokens of three kinds; each endpoint group requires exactly one kind.</summary>
internal static class AuthSetup
{
    public static IServiceCollection AddBearerAuth(this IServiceCollection services)
    {
        services.AddSingleton<BearerTokenCache>();
        services.AddAuthentication(AuthPolicies.Scheme)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(AuthPolicies.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Admin, p => p.RequireClaim(AuthPolicies.KindClaim, "admin"))
            .AddPolicy(AuthPolicies.Platform, p => p.RequireClaim(AuthPolicies.KindClaim, "platform"))
            .AddPolicy(AuthPolicies.Reviewer, p => p.RequireClaim(AuthPolicies.KindClaim, "reviewer"));
        // Framework-written problems (unknown route, 405, challenge, forbid) get a type and an errors map like the app's own.
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemFields.Complete);
        return services;
    }
}
