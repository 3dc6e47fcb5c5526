namespace Rce.Core.Submissions;

/// <summary>
/// What the LMS says about a submission, echoed back in results and callbacks; never interpreted,
/// except <see cref="UserId"/> for per-user limits.
/// </summary>
/// <param name="UserId">The end user (student) id in the LMS.</param>
/// <param name="CourseId">The course id.</param>
/// <param name="AssignmentId">The assignment id.</param>
/// <param name="Tags">Free tags (string to string).</param>
public sealed record SubmissionMetadata(string? UserId, string? CourseId, string? AssignmentId, IReadOnlyDictionary<string, string>? Tags)
{
    /// <summary>No metadata.</summary>
    public static SubmissionMetadata Empty { get; } = new(null, null, null, null);
}
