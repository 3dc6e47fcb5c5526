namespace Rce.Sandbox.Languages.Definitions;

/// <summary>C and C++ with Debian's GCC: compiled to <c>/out/main</c>, run directly.</summary>
internal static class NativeLanguages
{
    public static LanguageDefinition C { get; } = new()
    {
        Id = "c",
        Name = "C (GCC)",
        Extensions = [".c"],
        DefaultFileName = "main.c",
        Packages = ["gcc"],
        RequiredPaths = ["/usr/bin/gcc"],
        VersionCommand = ["/usr/bin/gcc", "-dumpfullversion"],
        Compile = ctx => ["/usr/bin/gcc", "-O2", "-std=gnu17", "-pipe", "-o", "/out/main", .. ctx.Options, .. ctx.SourceFiles.Where(f => f.EndsWith(".c", StringComparison.Ordinal)), "-lm"],
        Run = ctx => ["/out/main", .. ctx.Options],
        SelfTestSource = "#include <stdio.h>\nint main(void){char b[256];if(fgets(b,sizeof b,stdin))fputs(b,stdout);return 0;}\n",
    };

    public static LanguageDefinition Cpp { get; } = new()
    {
        Id = "cpp",
        Name = "C++ (G++)",
        Extensions = [".cpp", ".cc", ".cxx"],
        DefaultFileName = "main.cpp",
        Packages = ["g++"],
        RequiredPaths = ["/usr/bin/g++"],
        VersionCommand = ["/usr/bin/g++", "-dumpfullversion"],
        Compile = ctx => ["/usr/bin/g++", "-O2", "-std=gnu++17", "-pipe", "-o", "/out/main", .. ctx.Options, .. ctx.SourceFiles.Where(f => f.EndsWith(".cpp", StringComparison.Ordinal) || f.EndsWith(".cc", StringComparison.Ordinal) || f.EndsWith(".cxx", StringComparison.Ordinal))],
        Run = ctx => ["/out/main", .. ctx.Options],
        SelfTestSource = "#include <iostream>\n#include <string>\nint main(){std::string s;std::getline(std::cin,s);std::cout<<s<<\"\\n\";}\n",
    };

    public static LanguageDefinition Rust { get; } = new()
    {
        Id = "rust",
        Name = "Rust",
        Extensions = [".rs"],
        DefaultFileName = "main.rs",
        Packages = ["rustc"],
        RequiredPaths = ["/usr/bin/rustc", "/usr/bin/gcc"],
        VersionCommand = ["/usr/bin/rustc", "--version"],
        Compile = ctx => ["/usr/bin/rustc", "-O", "--edition", "2021", "-C", "codegen-units=4", "-C", "linker=/usr/bin/gcc", "-o", "/out/main", .. ctx.Options, ctx.MainFile],
        Run = ctx => ["/out/main", .. ctx.Options],
        SelfTestSource = "use std::io::BufRead;\nfn main(){let mut s=String::new();std::io::stdin().lock().read_line(&mut s).unwrap();print!(\"{}\",s);}\n",
    };

    public static LanguageDefinition Go { get; } = new()
    {
        Id = "go",
        Name = "Go",
        Extensions = [".go"],
        DefaultFileName = "main.go",
        Packages = ["golang-go"],
        RequiredPaths = ["/usr/lib/go/bin/go"],
        VersionCommand = ["/usr/lib/go/bin/go", "version"],
        Compile = ctx => ["/usr/lib/go/bin/go", "build", "-o", "/out/main", .. ctx.Options, .. ctx.SourceFiles.Where(f => f.EndsWith(".go", StringComparison.Ordinal))],

        // The go tool needs a writable cache and home: both inside the box, gone with it.
        Environment = limits => LanguageEnvironment.With(
            ("GOCACHE", "/tmp/gocache"), ("GOPATH", "/tmp/gopath"), ("GO111MODULE", "off"), ("CGO_ENABLED", "0"),
            ("GOTOOLCHAIN", "local"), ("GOFLAGS", "-buildvcs=false"), ("GOMAXPROCS", "2"),
            ("GOMEMLIMIT", LanguageEnvironment.HeapMiB(limits) + "MiB")),
        Run = ctx => ["/out/main", .. ctx.Options],
        AdjustRunLimits = l => l with { Processes = Math.Max(l.Processes, 64) },
        SelfTestSource = "package main\nimport (\"bufio\";\"fmt\";\"os\")\nfunc main(){r:=bufio.NewReader(os.Stdin);s,_:=r.ReadString('\\n');fmt.Print(s)}\n",
    };
}
