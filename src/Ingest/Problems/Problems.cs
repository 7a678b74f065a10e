using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cluster.Ingest.Problems;

/// <summary>
/// RFC 9457 problem details for every error the API returns; <c>type</c> names the kind of problem and the
/// <c>errors</c> map names the field, header or route value to fix (docs/api.md "Errors").
/// </summary>
public static class Problems
{
    public const string TypePrefix = "urn:screening-cluster:problem:";

    public static ValidationProblem Validation(string title, IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: title, type: TypePrefix + "validation");

    public static ValidationProblem Field(string field, string error) =>
        Validation("The request has an invalid field.", new Dictionary<string, string[]> { [field] = [error] });

    public static ProblemHttpResult InvalidBody(string detail) => InvalidBody("body", detail);

    public static ProblemHttpResult InvalidBody(string field, string detail) =>
        Problem(StatusCodes.Status400BadRequest, "The request body cannot be read.", "invalid-body", field, detail);

    public static ProblemHttpResult TooLarge(string detail) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "The request is too large.", "too-large", "body", detail);

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type.", "media-type", "Content-Type", detail);

    /// <summary>429 with Retry-After: the silo sheds load rather than queueing without bound.</summary>
    public static ProblemHttpResult Overloaded(HttpContext context, int retryAfterSeconds = 1)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status429TooManyRequests, "Too many requests.", "overloaded", "body",
            "The ingest queue is full; retry after the given delay.");
    }

    /// <summary>503 with Retry-After: the store did not commit the request's posts (down, restarting, failing over).</summary>
    public static ProblemHttpResult StoreUnavailable(HttpContext context, string detail, int retryAfterSeconds = 1)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Unavailable(detail);
    }

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable.", type: TypePrefix + "unavailable");

    /// <summary>A 404 without a field: <see cref="ProblemFields"/> names the request's route value.</summary>
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.", type: TypePrefix + "not-found");

    public static ProblemHttpResult NotFound(string field, string detail) =>
        Problem(StatusCodes.Status404NotFound, "Not found.", "not-found", field, detail);

    /// <summary>A 409 without a field: <see cref="ProblemFields"/> names the request's route value.</summary>
    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict.", type: TypePrefix + "conflict");

    public static ProblemHttpResult Conflict(string field, string detail) =>
        Problem(StatusCodes.Status409Conflict, "Conflict.", "conflict", field, detail);

    public static ProblemHttpResult Forbidden(string field, string detail) =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden.", "forbidden", field, detail);

    public static ProblemHttpResult Timeout(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status504GatewayTimeout, title: "Timed out.", type: TypePrefix + "timeout");

    private static ProblemHttpResult Problem(int status, string title, string kind, string field, string detail) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [detail] })
        {
            Status = status,
            Title = title,
            Type = TypePrefix + kind,
            Detail = detail,
        });
}
