namespace ExpressHa.Validation
{
    public enum FindingSeverity { Error, Warning }

    /// <summary>One problem in a config: the field's path, what is wrong and how to fix it.</summary>
    public sealed class ValidationFinding
    {
        public ValidationFinding(FindingSeverity severity, string code, string path, string message, string fix)
        {
            Severity = severity;
            Code = code;
            Path = path;
            Message = message;
            Fix = fix;
        }

        public FindingSeverity Severity { get; }
        /// <summary>Stable identifier of the rule, e.g. UnknownField, DuplicateName, VipInsideVpc.</summary>
        public string Code { get; }
        /// <summary>Field path like groups[0].resources[1].ip.</summary>
        public string Path { get; }
        public string Message { get; }
        public string Fix { get; }
        /// <summary>1-based position in the YAML source when the finding came from a file.</summary>
        public int? Line { get; set; }
        public int? Column { get; set; }
        public string? Source { get; set; }

        public bool IsError => Severity == FindingSeverity.Error;

        /// <summary>path: message; fix — the form every error message takes.</summary>
        public override string ToString()
        {
            var where = Line.HasValue ? $" (line {Line}, column {Column})" : "";
            return $"{Path}: {Message}; {Fix}{where}";
        }
    }

    /// <summary>Stable finding codes.</summary>
    public static class FindingCodes
    {
        public const string UnknownField = "UnknownField";
        public const string UnknownType = "UnknownType";
        public const string InvalidValue = "InvalidValue";
        public const string MissingField = "MissingField";
        public const string DuplicateName = "DuplicateName";
        public const string DependencyCycle = "DependencyCycle";
        public const string MissingReference = "MissingReference";
        public const string MissingPerNodeValue = "MissingPerNodeValue";
        public const string VipInsideVpc = "VipInsideVpc";
        public const string InvalidDnsName = "InvalidDnsName";
        public const string TimeoutNotAboveInterval = "TimeoutNotAboveInterval";
        public const string FencingWithoutInstanceId = "FencingWithoutInstanceId";
        public const string UnsupportedApiVersion = "UnsupportedApiVersion";
        public const string UnsafeSetup = "UnsafeSetup";
    }
}
