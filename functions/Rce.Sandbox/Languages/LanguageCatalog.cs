using System.Diagnostics;
using Rce.Sandbox.Languages.Definitions;

namespace Rce.Sandbox.Languages;

/// <summary>The languages this host can run: every known definition whose toolchain is installed.</summary>
/// <remarks>
/// A language whose toolchain is missing is left out (with the reason kept for diagnostics), never
/// offered to fail at run time.
/// </remarks>
public sealed class LanguageCatalog
{
    private readonly Dictionary<string, LanguageDefinition> _byId;

    private LanguageCatalog(IReadOnlyList<LanguageDefinition> available, IReadOnlyDictionary<string, string> missing)
    {
        Available = available;
        Missing = missing;
        _byId = available.ToDictionary(l => l.Id, StringComparer.Ordinal);
    }

    /// <summary>Every language definition the product knows, installed or not.</summary>
    public static IReadOnlyList<LanguageDefinition> Known { get; } = new[]
    {
        NativeLanguages.C, NativeLanguages.Cpp, InterpretedLanguages.Python, InterpretedLanguages.JavaScript,
        ManagedLanguages.Java, ManagedLanguages.CSharp, InterpretedLanguages.Bash, NativeLanguages.Rust, NativeLanguages.Go,
    }.OfType<LanguageDefinition>().ToArray();

    /// <summary>Languages whose toolchains are installed, in catalog order.</summary>
    public IReadOnlyList<LanguageDefinition> Available { get; }

    /// <summary>Known languages left out, with the reason.</summary>
    public IReadOnlyDictionary<string, string> Missing { get; }

    /// <summary>Detects installed toolchains by package and absolute path.</summary>
    public static LanguageCatalog Detect()
    {
        var installed = InstalledPackages(Known.SelectMany(l => l.Packages).Distinct(StringComparer.Ordinal));
        var available = new List<LanguageDefinition>();
        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var language in Known)
        {
            var package = language.Packages.FirstOrDefault(p => !installed.Contains(p));
            var path = language.RequiredPaths.FirstOrDefault(p => !Path.Exists(p));
            if (package is not null)
            {
                missing[language.Id] = $"Debian package {package} is not installed";
            }
            else if (path is not null)
            {
                missing[language.Id] = $"{path} does not exist";
            }
            else
            {
                available.Add(language);
            }
        }

        return new LanguageCatalog(available, missing);
    }

    /// <summary>Finds a language by id.</summary>
    public LanguageDefinition? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Finds the language of a file by its extension.</summary>
    public LanguageDefinition? FindByFileName(string fileName)
    {
        var extension = Path.GetExtension(fileName);
        return Available.FirstOrDefault(l => l.Extensions.Contains(extension, StringComparer.Ordinal));
    }

    private static HashSet<string> InstalledPackages(IEnumerable<string> packages)
    {
        var names = packages.ToList();
        var installed = new HashSet<string>(StringComparer.Ordinal);
        if (names.Count == 0 || !File.Exists("/usr/bin/dpkg-query"))
        {
            return installed;
        }

        var info = new ProcessStartInfo("/usr/bin/dpkg-query") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-W", "-f", "${Package} ${db:Status-Status}\n" }.Concat(names))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        _ = process.StandardError.ReadToEnd();
        process.WaitForExit();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[1] == "installed")
            {
                installed.Add(parts[0].Split(':')[0]);
            }
        }

        return installed;
    }
}
