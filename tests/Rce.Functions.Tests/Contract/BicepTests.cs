using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rce.Testing;

namespace Rce.Functions.Tests.Contract;

/// <summary>
/// The azd infrastructure (<c>infra/</c>) builds and lints offline with the NuGet bicep CLI without
/// a single diagnostic, and the compiled ARM template holds the security decisions of
/// docs/deploy.md: identity-only storage, a Flex Consumption custom-handler app with a
/// system-assigned identity and its data-plane roles, Redis with Entra authentication only,
/// secrets as secure parameters in Key Vault, runners on VMs behind an internal load balancer.
/// Only a deployment can confirm that Azure accepts it (docs/deploy.md lists what).
/// </summary>
public sealed partial class BicepTests(CompiledInfra infra) : IClassFixture<CompiledInfra>
{
    private static readonly string InfraDir = Path.Combine(RepoPaths.Root, "infra");

    [Fact]
    public void Build_MainBicep_SucceedsWithoutDiagnostics()
    {
        var build = infra.Build();

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(build.Stderr.Trim().Length == 0, "bicep build reported:\n" + build.Stderr);
    }

    [Fact]
    public void Lint_MainBicep_ReportsNothing()
    {
        var lint = infra.Lint();

        Assert.True(lint.ExitCode == 0, lint.Output);
        Assert.True(lint.Output.Length == 0, "bicep lint reported:\n" + lint.Output);
    }

    [Fact]
    public void Modules_AreAllComposedByMain()
    {
        // A module main.bicep does not use is linted by nobody and deployed by nothing.
        var main = File.ReadAllText(Path.Combine(InfraDir, "main.bicep"));
        foreach (var module in Directory.GetFiles(Path.Combine(InfraDir, "modules"), "*.bicep"))
        {
            Assert.Contains($"'modules/{Path.GetFileName(module)}'", main, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Storage_RefusesSharedKeysAndAnonymousAccess()
    {
        var account = Assert.Single(infra.Resources("Microsoft.Storage/storageAccounts"));
        var properties = account.GetProperty("properties");

        Assert.False(properties.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(properties.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.Equal("TLS1_2", properties.GetProperty("minimumTlsVersion").GetString());
        Assert.True(properties.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
    }

    [Fact]
    public void FunctionApp_IsAFlexConsumptionCustomHandlerWithASystemAssignedIdentity()
    {
        var plan = Assert.Single(infra.Resources("Microsoft.Web/serverfarms"));
        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());

        var site = Assert.Single(infra.Resources("Microsoft.Web/sites"));
        Assert.Equal("functionapp,linux", site.GetProperty("kind").GetString());
        Assert.Equal("SystemAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        Assert.Contains("azd-service-name", site.GetProperty("tags").ToString(), StringComparison.Ordinal);
        var properties = site.GetProperty("properties");
        Assert.True(properties.GetProperty("httpsOnly").GetBoolean());
        Assert.True(properties.TryGetProperty("virtualNetworkSubnetId", out _), "the app must reach the runners' private address");
        var config = properties.GetProperty("functionAppConfig");
        Assert.Equal("custom", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("SystemAssignedIdentity", config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
    }

    [Fact]
    public void FunctionApp_Settings_AreIdentityBasedAndHoldNoSecret()
    {
        var module = infra.Deployment("functions-settings").GetProperty("properties").GetProperty("template");
        Assert.Equal("[union(variables('settings'), parameters('extraSettings'))]", Assert.Single(infra.Resources("Microsoft.Web/sites/config")).GetProperty("properties").GetString());
        var settings = module.GetProperty("variables").GetProperty("settings").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            Assert.StartsWith("[parameters(", settings[$"AzureWebJobsStorage__{service}ServiceUri"], StringComparison.Ordinal);
        }

        Assert.Equal("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("true", settings["Redis__UseEntraId"]);
        Assert.Equal("[parameters('principalId')]", settings["Redis__UserName"]);
        Assert.Equal("[parameters('redisHostName')]", settings["Redis__HostName"]);
        Assert.Equal("[parameters('runnerBaseUrl')]", settings["Runners__Endpoints__0__BaseUrl"]);
        Assert.Contains("Runners__Endpoints__0__Slots", settings.Keys);
        Assert.Contains("Auth__CacheSeconds", settings.Keys);

        // Secrets only as Key Vault references; no storage connection string; nothing Flex rejects.
        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('runnerTokenSecretUri'))]", settings["Runners__Endpoints__0__Token"]);
        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('callbackSecretUri'))]", settings["Callbacks__Secret"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain(settings.Values, v => v.Contains("AccountKey", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
    }

    [Fact]
    public void Redis_AcceptsMicrosoftEntraAuthenticationOnly()
    {
        var cache = Assert.Single(infra.Resources("Microsoft.Cache/redis")).GetProperty("properties");
        Assert.True(cache.GetProperty("disableAccessKeyAuthentication").GetBoolean());
        Assert.Equal("true", cache.GetProperty("redisConfiguration").GetProperty("aad-enabled").GetString());
        Assert.False(cache.GetProperty("enableNonSslPort").GetBoolean());

        var assignment = Assert.Single(infra.Resources("Microsoft.Cache/redis/accessPolicyAssignments")).GetProperty("properties");
        Assert.Equal("Data Contributor", assignment.GetProperty("accessPolicyName").GetString());
        Assert.Equal("[parameters('appPrincipalId')]", assignment.GetProperty("objectId").GetString());
    }

    [Fact]
    public void RoleAssignments_GiveTheAppItsDataRolesAndNothingBroad()
    {
        var access = infra.Deployment("access");
        var text = access.ToString();
        foreach (var (role, id) in new[]
        {
            ("Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"),
            ("Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88"),
            ("Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"),
            ("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6"),
            ("Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb"),
        })
        {
            Assert.True(text.Contains(id, StringComparison.Ordinal), $"{role} ({id}) is not assigned");
        }

        // Owner, Contributor and User Access Administrator are never handed out.
        foreach (var broad in new[] { "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9" })
        {
            Assert.DoesNotContain(broad, text, StringComparison.Ordinal);
        }

        var assignments = infra.Resources("Microsoft.Authorization/roleAssignments").ToList();
        Assert.True(assignments.Count >= 6, $"{assignments.Count} role assignments");
        Assert.All(assignments, a => Assert.True(a.TryGetProperty("scope", out _), "a role assignment without a resource scope lands on the whole resource group"));
    }

    [Fact]
    public void Secrets_AreSecureParametersWithoutDefaults_StoredInKeyVault()
    {
        var parameters = infra.Template.GetProperty("parameters");
        foreach (var name in new[] { "runnerToken", "callbackSecret" })
        {
            var parameter = parameters.GetProperty(name);
            Assert.Equal("securestring", parameter.GetProperty("type").GetString());
            Assert.False(parameter.TryGetProperty("defaultValue", out _), $"{name} has a default");
        }

        var vault = Assert.Single(infra.Resources("Microsoft.KeyVault/vaults")).GetProperty("properties");
        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.Equal(2, infra.Resources("Microsoft.KeyVault/vaults/secrets").Count());

        // main.parameters.json maps them from the azd environment; nothing secret is written in the repository.
        var file = File.ReadAllText(Path.Combine(InfraDir, "main.parameters.json"));
        Assert.Contains("\"${RCE_RUNNER_TOKEN}\"", file, StringComparison.Ordinal);
        Assert.Contains("\"${RCE_CALLBACK_SECRET}\"", file, StringComparison.Ordinal);
    }

    [Fact]
    public void Runners_AreAScaleSetWithoutPublicAddressesBehindAnInternalLoadBalancer()
    {
        var scaleSet = Assert.Single(infra.Resources("Microsoft.Compute/virtualMachineScaleSets"));
        Assert.Equal("SystemAssigned", scaleSet.GetProperty("identity").GetProperty("type").GetString());
        var text = scaleSet.ToString();
        Assert.DoesNotContain("publicIPAddressConfiguration", text, StringComparison.Ordinal);
        Assert.Contains("disablePasswordAuthentication\":true", text.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        var balancer = Assert.Single(infra.Resources("Microsoft.Network/loadBalancers"));
        var frontend = Assert.Single(balancer.GetProperty("properties").GetProperty("frontendIPConfigurations").EnumerateArray()).GetProperty("properties");
        Assert.True(frontend.TryGetProperty("subnet", out _), "the runners' frontend must be private (a subnet)");
        Assert.False(frontend.TryGetProperty("publicIPAddress", out _));
    }

    [Fact]
    public void RunnerCloudInit_HasEveryPlaceholderReplaced_AndDelegatesCgroups()
    {
        var cloudInit = File.ReadAllText(Path.Combine(InfraDir, "runner", "cloud-init.yaml"));
        var module = File.ReadAllText(Path.Combine(InfraDir, "modules", "runners.bicep"));

        var placeholders = Placeholder().Matches(cloudInit).Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(placeholders);
        Assert.All(placeholders, p => Assert.Contains($"'{p}'", module, StringComparison.Ordinal));
        Assert.Contains("Delegate=yes", cloudInit, StringComparison.Ordinal);
        Assert.StartsWith("#cloud-config", cloudInit, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_AreUpperSnakeAndCarryWhatAzdAndTheHookNeed()
    {
        var outputs = infra.Template.GetProperty("outputs").EnumerateObject().Select(o => o.Name).ToList();

        Assert.All(outputs, name => Assert.Matches("^[A-Z][A-Z0-9_]*$", name));
        foreach (var name in new[] { "AZURE_LOCATION", "AZURE_TENANT_ID", "AZURE_RESOURCE_GROUP", "SERVICE_FUNCTIONS_NAME", "SERVICE_FUNCTIONS_URI", "RUNNER_PACKAGE_URL" })
        {
            Assert.Contains(name, outputs);
        }

        // Outputs are stored in plain text in .azure/<env>/.env: nothing secret may be one.
        Assert.DoesNotContain(outputs, name => SecretLike().IsMatch(name));
    }

    [Fact]
    public void AzureYaml_DeploysTheFunctionsProjectToTheTaggedApp()
    {
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "azure.yaml"));

        Assert.Matches(@"(?m)^services:\s*\n  functions:\s*\n(    \S.*\n)*?    project: \./functions/Rce\.Functions\s*$", yaml);
        Assert.Matches(@"(?m)^    host: function\s*$", yaml);
        Assert.Matches(@"(?m)^    language: dotnet\s*$", yaml);
        Assert.Matches(@"(?m)^  path: infra\s*$", yaml);
        Assert.Contains("serviceName: 'functions'", File.ReadAllText(Path.Combine(InfraDir, "main.bicep")), StringComparison.Ordinal);

        // The hook azd runs exists and is executable.
        var hook = Regex.Match(yaml, @"run: \./(\S+)").Groups[1].Value;
        var mode = File.GetUnixFileMode(Path.Combine(RepoPaths.Root, hook));
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute), $"{hook} is not executable");
    }

    [GeneratedRegex("SECRET|PASSWORD|CONNECTION_STRING|_TOKEN$|_KEY$")]
    private static partial Regex SecretLike();

    [GeneratedRegex("__[A-Z_]+__")]
    private static partial Regex Placeholder();
}

/// <summary>
/// <c>bicep build infra/main.bicep --stdout</c> and <c>bicep lint infra/main.bicep</c> once per test
/// class, with the bicep CLI of the Azure.Bicep.CommandLine.linux-x64 package (offline: local modules only).
/// </summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);
    private ExternalCommand.Result? _build;
    private ExternalCommand.Result? _lint;
    private JsonDocument? _template;

    /// <summary>The bicep executable restored with the test project (MSBuild's BicepPath).</summary>
    public static string BicepPath { get; } = (typeof(CompiledInfra).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .SingleOrDefault(a => a.Key == "BicepPath")?.Value ?? string.Empty).Replace('\\', '/');

    /// <summary>The compiled ARM template (subscription scope; modules are nested deployments).</summary>
    public JsonElement Template => (_template ?? throw new InvalidOperationException("not compiled")).RootElement;

    public ExternalCommand.Result Build()
    {
        RequireBicep();
        return _build!;
    }

    public ExternalCommand.Result Lint()
    {
        RequireBicep();
        return _lint!;
    }

    /// <summary>The nested deployment (module) of that name.</summary>
    public JsonElement Deployment(string name)
    {
        Build();
        return Deployments(Template).Single(d => d.GetProperty("name").GetString() == name);
    }

    /// <summary>Every resource of <paramref name="type"/>, in any module.</summary>
    public IEnumerable<JsonElement> Resources(string type)
    {
        var build = Build();
        Assert.True(build.ExitCode == 0, build.Output);
        return AllResources(Template).Where(r => r.GetProperty("type").GetString() == type);
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(BicepPath))
        {
            return;
        }

        var main = Path.Combine(RepoPaths.Root, "infra", "main.bicep");
        var build = ExternalCommand.RunAsync(BicepPath, ["build", main, "--stdout"], RepoPaths.Root, Bound);
        var lint = ExternalCommand.RunAsync(BicepPath, ["lint", main], RepoPaths.Root, Bound);
        _build = await build;
        _lint = await lint;
        if (_build.ExitCode == 0)
        {
            _template = JsonDocument.Parse(_build.Stdout);
        }
    }

    public ValueTask DisposeAsync()
    {
        _template?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void RequireBicep() =>
        Requires.That(File.Exists(BicepPath) && _build is not null, $"the bicep CLI is missing at '{BicepPath}' (NuGet package Azure.Bicep.CommandLine.linux-x64, restored with this project)");

    private static IEnumerable<JsonElement> Children(JsonElement template) =>
        !template.TryGetProperty("resources", out var resources) ? []
        : resources.ValueKind == JsonValueKind.Array ? resources.EnumerateArray()
        : resources.EnumerateObject().Select(p => p.Value); // languageVersion 2.0: symbolic names

    private static IEnumerable<JsonElement> Deployments(JsonElement template) =>
        Children(template).Where(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
            .SelectMany(d => Deployments(d.GetProperty("properties").GetProperty("template")).Prepend(d));

    private static IEnumerable<JsonElement> AllResources(JsonElement template) =>
        Children(template).SelectMany(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments"
            ? AllResources(r.GetProperty("properties").GetProperty("template"))
            : [r]);
}
