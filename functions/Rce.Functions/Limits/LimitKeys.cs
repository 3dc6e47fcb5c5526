using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Rce.Functions.Limits;

/// <summary>
/// Redis keys of the limits. Every key of one tenant shares the hash tag <c>{t:&lt;tenant&gt;}</c>
/// so that a check over user, tenant and quota keys is one script on one cluster slot.
/// Client-chosen text (user ids, addresses) is hashed unless it is short and plain, so that it can
/// neither grow keys without bound nor inject a second hash tag.
/// </summary>
internal static partial class LimitKeys
{
    public static string TenantRequests(string tenant) => $"{Tag(tenant)}:req";

    public static string UserSubmissions(string tenant, string user) => $"{Tag(tenant)}:u:{Safe(user)}:sub";

    public static string UserBatches(string tenant, string user) => $"{Tag(tenant)}:u:{Safe(user)}:bat";

    public static string HourlySubmissions(string tenant) => $"{Tag(tenant)}:q:hour";

    public static string DailySubmissions(string tenant) => $"{Tag(tenant)}:q:day";

    public static string InFlight(string tenant) => $"{Tag(tenant)}:inflight";

    public static string Anonymous(string address) => $"{{a:{Safe(address)}}}:auth";

    private static string Tag(string tenant) => $"{{t:{Safe(tenant)}}}";

    private static string Safe(string text) =>
        Plain().IsMatch(text) ? text : "h" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    [GeneratedRegex("^[A-Za-z0-9._@:-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Plain();
}
