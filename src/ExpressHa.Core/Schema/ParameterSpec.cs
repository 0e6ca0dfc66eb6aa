namespace ExpressHa.Schema
{
    /// <summary>One type-specific parameter: its kind, whether it is required, its default and what it means.</summary>
    public sealed class ParameterSpec
    {
        public ParameterSpec(string name, ParameterKind kind, string description)
        {
            Name = name;
            Kind = kind;
            Description = description;
        }

        public string Name { get; }
        public ParameterKind Kind { get; }
        public string Description { get; }
        public bool Required { get; set; }
        public object? Default { get; set; }
        /// <summary>For PerNode: the kind of each node's value.</summary>
        public ParameterKind ValueKind { get; set; } = ParameterKind.String;
        /// <summary>For PerNode: every server of the group needs a value (else values may be omitted and come from IMDS).</summary>
        public bool AllNodesRequired { get; set; }
        /// <summary>For PerNode: each node needs its own value (an address that identifies the node), so a single value
        /// for every node, or one value given to two nodes, is refused.</summary>
        public bool DistinctPerNode { get; set; }
        public string[]? AllowedValues { get; set; }
        public long Min { get; set; } = long.MinValue;
        public long Max { get; set; } = long.MaxValue;
        /// <summary>Expected prefix of string values (vpc-, eni-, eipalloc-...).</summary>
        public string? Prefix { get; set; }
        /// <summary>A regular expression string values must match, and what it asks for in words ("an absolute path,
        /// like /dev/sdb1"), for the error.</summary>
        public string? Pattern { get; set; }
        public string? PatternHelp { get; set; }

        public override string ToString() => Name;
    }
}
