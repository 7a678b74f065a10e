using Microsoft.AspNetCore.Http;

namespace Cluster.Ingest.Problems;

/// <summary>
/// Completes the problems that carry no errors map: the framework's own (unknown route 404, 405, the bearer
/// challenge's 401, forbid's 403, written by the status-code pages) and the app's field-less 404/409s. Every 4xx then
/// names what to fix, as api-v1.md asks of errors.
/// </summary>
internal static class ProblemFields
{
    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Status is not (>= 400 and < 500)
            || problem is HttpValidationProblemDetails { Errors.Count: > 0 }
            || problem.Extensions.ContainsKey("errors"))
        {
            return;
        }
        var http = context.HttpContext;
        var routed = http.GetEndpoint() is not null;
        var (kind, title, field, detail) = problem.Status switch
        {
            StatusCodes.Status401Unauthorized => ("unauthorized", "Unauthorized.", "Authorization", "send 'Authorization: Bearer <token>' with a known token"),
            StatusCodes.Status403Forbidden => ("forbidden", "Forbidden.", "Authorization", "this token's kind may not use this endpoint"),
            StatusCodes.Status404NotFound when routed => ("not-found", "Not found.", RouteField(http, "path"), "not found"),
            StatusCodes.Status404NotFound => ("not-found", "Not found.", "path", "no endpoint has this path"),
            StatusCodes.Status405MethodNotAllowed => ("method-not-allowed", "Method not allowed.", "method", $"{http.Request.Method} is not allowed on this path"),
            StatusCodes.Status409Conflict => ("conflict", "Conflict.", RouteField(http, "body"), "conflict"),
            StatusCodes.Status413PayloadTooLarge => ("too-large", "The request is too large.", "body", "the body is too large"),
            StatusCodes.Status415UnsupportedMediaType => ("media-type", "Unsupported content type.", "Content-Type", "unsupported content type"),
            StatusCodes.Status429TooManyRequests => ("overloaded", "Too many requests.", "body", "retry after the given delay"),
            _ => ("invalid-request", "The request is invalid.", "request", "the request is invalid"),
        };
        // The framework's defaults (an RFC 9110 link as type) are replaced; the app's own type and title stay.
        if (problem.Type is null || !problem.Type.StartsWith(Problems.TypePrefix, StringComparison.Ordinal))
        {
            problem.Type = Problems.TypePrefix + kind;
            problem.Title = title;
        }
        problem.Detail ??= detail;
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [problem.Detail] };
    }

    /// <summary>The first route value (the item's or account's id in the path), else <paramref name="fallback"/>.</summary>
    private static string RouteField(HttpContext http, string fallback)
    {
        foreach (var (name, _) in http.Request.RouteValues)
        {
            return name;
        }
        return fallback;
    }
}
