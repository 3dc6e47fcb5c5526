namespace Rce.Functions.Api;

/// <summary>RFC 9457 problem details of the API.</summary>
internal static class Problems
{
    public static IResult BadRequest(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.");

    public static IResult Invalid(Dictionary<string, string[]> errors, bool tooLarge) =>
        Results.ValidationProblem(errors, statusCode: tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, title: tooLarge ? "The request is too large." : "The request is not valid.");

    public static IResult NotFound(string what) =>
        Results.Problem(detail: $"No {what} with this id.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");
}
