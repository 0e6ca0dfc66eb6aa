namespace ExpressHa.Schema
{
    public enum ParameterKind
    {
        String,
        Int,
        Bool,
        /// <summary>An IPv4 address.</summary>
        IpAddress,
        /// <summary>An IPv4 network in CIDR notation.</summary>
        Cidr,
        StringList,
        /// <summary>A free map of string to string (environment variables).</summary>
        StringMap,
        /// <summary>One value per node of the group, keyed by node name.</summary>
        PerNode,
    }
}
