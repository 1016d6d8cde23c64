using System.Runtime;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// RhpEHEnumInitFromStackFrameIterator / RhpEHEnumNext: the EH clauses of the iterator's current
/// method for CoreLib's dispatcher, in ILC's order (innermost try first).
/// </summary>
internal static unsafe class EhClauseEnumeration
{
    /// <summary>CoreLib's EH.MethodRegionInfo: ILC puts no code in a cold region, so only the start counts.</summary>
    private struct MethodRegionInfo
    {
        public ulong HotStart, HotSize, ColdStart, ColdSize;
    }

    [RuntimeExport("RhpEHEnumInitFromStackFrameIterator")]
    private static bool Init(FrameIteratorState* it, MethodRegionInfo* region, EhClauseEnumerator* clauses)
    {
        long started = UnwinderProfile.Start();
        bool valid = it->Method.TryGetClauses(ImageView.Identity, out EhClauseEnumerator found);
        UnwinderProfile.StopClauses(started);
        if (!valid)
        {
            *region = default;
            return false;
        }
        region->HotStart = it->Method.MethodStart;
        region->HotSize = 0;
        region->ColdStart = 0;
        region->ColdSize = 0;
        *clauses = found;
        return true;
    }

    [RuntimeExport("RhpEHEnumNext")]
    private static bool Next(EhClauseEnumerator* clauses, EhClause* clause)
    {
        long started = UnwinderProfile.Start();
        bool valid = clauses->TryNext(ImageView.Identity, out *clause);
        UnwinderProfile.StopClauses(started);
        return valid;
    }
}
