/* plug_git_commit: a snapshot's tree committed onto HEAD's branch, with
 * the message ending in a newline as git writes it. */
#include "plug_git.h"

#include <stdlib.h>
#include <string.h>

int plug_git_commit(struct gitops_repo *r, const char *tree_id, const char *parent_id,
	      const char *message, const char *name, const char *email, char *id_out)
{
	git_oid toid, poid, coid;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	char *msg = NULL;
	size_t ml = strlen(message);
	int rc;

	id_out[0] = '\0';
	if (git_oid_fromstr(&toid, tree_id) < 0)
		return plug_git_kfail(KR_EINVAL, "not a tree id: %s", tree_id);
	if ((rc = git_tree_lookup(&tree, r->repo, &toid)) < 0) {
		rc = plug_git_gfail(rc, "cannot read tree %s", tree_id);
		goto out;
	}
	if (parent_id && parent_id[0]) {
		if (git_oid_fromstr(&poid, parent_id) < 0) {
			rc = plug_git_kfail(KR_EINVAL, "not a commit id: %s", parent_id);
			goto out;
		}
		if ((rc = git_commit_lookup(&parent, r->repo, &poid)) < 0) {
			rc = plug_git_gfail(rc, "cannot read commit %s", parent_id);
			goto out;
		}
	}
	if ((rc = git_signature_now(&sig, name, email)) < 0) {
		rc = plug_git_gfail(rc, "bad author");
		goto out;
	}
	if (!(msg = malloc(ml + 2))) {
		rc = plug_git_kfail(KR_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(msg, message, ml);
	if (ml == 0 || message[ml - 1] != '\n')
		msg[ml++] = '\n';
	msg[ml] = '\0';
	{
		const git_commit *parents[1] = {parent};
		rc = git_commit_create(&coid, r->repo, "HEAD", sig, sig, NULL, msg, tree,
				       parent ? 1 : 0, parents);
	}
	if (rc < 0) {
		rc = plug_git_gfail(rc, "cannot commit");
		goto out;
	}
	git_oid_tostr(id_out, 41, &coid);
out:
	free(msg);
	git_signature_free(sig);
	git_commit_free(parent);
	git_tree_free(tree);
	return rc;
}
