using ExpressHa.Config;
using ExpressHa.Validation;
using ExpressHa.Yaml;

namespace ExpressHa.Service.Runtime;

/// <summary>The node's running config in its state directory (config.yaml + generation), and a config staged by the
/// first phase of a push until the second phase commits or aborts it.</summary>
public sealed class ConfigStore
{
    readonly string _dir;
    readonly object _gate = new();
    (string Yaml, ClusterConfig Config, long Generation)? _staged;

    public ConfigStore(string stateDir)
    {
        _dir = stateDir;
        Directory.CreateDirectory(stateDir);
    }

    public ClusterConfig Current { get; private set; } = new();
    public string CurrentYaml { get; private set; } = "";
    public long Generation { get; private set; }

    string ConfigPath => Path.Combine(_dir, "config.yaml");
    string GenerationPath => Path.Combine(_dir, "generation");

    /// <summary>Starts from the state directory's config when it has one (it may be newer than the file, from a push),
    /// otherwise from the given file as generation 1. Throws with the findings when the config is invalid.</summary>
    public string Load(string initialFile)
    {
        if (File.Exists(ConfigPath) && File.Exists(GenerationPath) && long.TryParse(File.ReadAllText(GenerationPath).Trim(), out var g) && g > 0)
        {
            Set(File.ReadAllText(ConfigPath), g, persist: false);
            return $"running config generation {g} from {ConfigPath}";
        }
        Set(File.ReadAllText(initialFile), 1, persist: true);
        return $"running config generation 1 from {initialFile}";
    }

    /// <summary>Parses and validates; returns the errors (empty when the config may run).</summary>
    public static List<string> Check(string yaml, out ClusterConfig? config)
    {
        config = null;
        ConfigReadResult read;
        try { read = ConfigYamlReader.Read(yaml, "pushed config"); }
        catch (ConfigParseException ex) { return new List<string> { ex.Message }; }
        var errors = ConfigValidator.Validate(read).Where(f => f.IsError).Select(f => f.ToString()).ToList();
        if (errors.Count == 0) config = read.Config;
        return errors;
    }

    void Set(string yaml, long generation, bool persist)
    {
        var errors = Check(yaml, out var config);
        if (config == null) throw new InvalidOperationException("the config is not valid:\n  " + string.Join("\n  ", errors));
        lock (_gate)
        {
            if (persist)
            {
                WriteAtomically(ConfigPath, yaml);
                WriteAtomically(GenerationPath, generation.ToString());
            }
            Current = config;
            CurrentYaml = yaml;
            Generation = generation;
        }
    }

    public List<string> Stage(string yaml, long generation)
    {
        var errors = Check(yaml, out var config);
        if (config == null) return errors;
        lock (_gate)
        {
            if (generation <= Generation) return new List<string> { $"generation {generation} is not newer than the running generation {Generation}" };
            _staged = (yaml, config, generation);
        }
        return errors;
    }

    /// <summary>Commits (or drops) the staged config; false when nothing of that generation is staged.</summary>
    public bool Finish(long generation, bool commit)
    {
        lock (_gate)
        {
            if (_staged is not { } s || s.Generation != generation) return false;
            _staged = null;
            if (commit) Set(s.Yaml, s.Generation, persist: true);
            return true;
        }
    }

    /// <summary>Adopts a newer config a peer runs (this node missed the push while it was down).</summary>
    public bool Adopt(string yaml, long generation)
    {
        lock (_gate)
        {
            if (generation <= Generation) return false;
            Set(yaml, generation, persist: true);
            return true;
        }
    }

    static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
