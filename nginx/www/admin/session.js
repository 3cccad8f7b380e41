// What each role may do, mirroring the API's role → scope mapping (issue 7 contract §1), so the
// console disables what would be refused anyway. The API stays the one that enforces it.
//   owner, admin  everything (admin scope)
//   agent         ask questions (internal collections included) and read conversations
//   viewer        read everything of the tenant, and ask questions in "Try it"
export function capabilities(role) {
    const admin = role === "owner" || role === "admin";
    const viewer = role === "viewer";
    return {
        role,
        write: admin,
        query: true,
        readDocuments: admin || viewer,
        readAdmin: admin || viewer,
        readConversations: true,
    };
}

// The hint shown next to disabled controls.
export const READ_ONLY_HINT = "Your role can view this but not change it.";
