using Rce.Cli.Commands;
using Rce.Core.Tenancy;

namespace Rce.Cli.Tests.Commands;

public sealed class KeysListFormatTests
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 23, 12, 0, 0, TimeSpan.FromHours(2));

    [Fact]
    public void Format_AlignedColumns_UtcTimes_DashWhileValid()
    {
        var keys = new[]
        {
            new ApiKey("abcdefgh2345", "acme", ApiKeyRoles.Submit | ApiKeyRoles.Read, new byte[32], T0, null),
            new ApiKey("zzzzzzzz7777", "moodle-prod", ApiKeyRoles.None, new byte[32], T0, T0.AddMinutes(5)),
        };

        Assert.Equal(
            [
                "KEY ID        TENANT       ROLES        CREATED               REVOKED",
                "abcdefgh2345  acme         submit,read  2025-11-23T10:00:00Z  -",
                "zzzzzzzz7777  moodle-prod  (none)       2025-11-23T10:00:00Z  2025-11-23T10:05:00Z",
            ],
            KeysListCommand.Format(keys));
    }

    [Fact]
    public void Format_NoKeys_HeaderOnly() =>
        Assert.Equal(["KEY ID  TENANT  ROLES  CREATED  REVOKED"], KeysListCommand.Format([]));
}
