using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cluster.Ingest.Problems;

/// <summary>RFC 9457 problem details for every error the API returns; <c>type</c> names the kind of problem.</summary>
public static class Problems
{
    private const string TypePrefix = "urn:screening-cluster:problem:";

    public static ValidationProblem Validation(string title, IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: title, type: TypePrefix + "validation");

    public static ValidationProblem Field(string field, string error) =>
        Validation("The request has an invalid field.", new Dictionary<string, string[]> { [field] = [error] });

    public static ProblemHttpResult InvalidBody(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The request body cannot be read.", type: TypePrefix + "invalid-body");

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request is too large.", type: TypePrefix + "too-large");

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type.", type: TypePrefix + "media-type");

    /// <summary>429 with Retry-After: the silo sheds load rather than queueing without bound.</summary>
    public static ProblemHttpResult Overloaded(HttpContext context, int retryAfterSeconds = 1)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem("The ingest queue is full; retry after the given delay.", statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests.", type: TypePrefix + "overloaded");
    }

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable.", type: TypePrefix + "unavailable");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.", type: TypePrefix + "not-found");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict.", type: TypePrefix + "conflict");

    public static ProblemHttpResult Timeout(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status504GatewayTimeout, title: "Timed out.", type: TypePrefix + "timeout");
}
