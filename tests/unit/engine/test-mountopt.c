/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI mount options -> flags, propagation, attributes and data. */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/mountopt.h"
#include "../tap.h"

#define A_RDONLY 0x1ULL
#define A_NOSUID 0x2ULL
#define A_NODEV 0x4ULL
#define A_NOEXEC 0x8ULL
#define A__ATIME 0x70ULL
#define A_NOATIME 0x10ULL
#define A_STRICTATIME 0x20ULL
#define A_NODIRATIME 0x80ULL
#define A_NOSYMFOLLOW 0x200000ULL
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct mcase {
	const char *opts[8];
	unsigned long flags, clear;
	unsigned long prop;
	size_t nprop;
	uint64_t aset, aclr;
	const char *data;
};

static const struct mcase cases[] = {
	{{"defaults"}, 0, 0, 0, 0, 0, 0, NULL},
	{{"ro"}, MS_RDONLY, 0, 0, 0, 0, 0, NULL},
	{{"rw"}, 0, MS_RDONLY, 0, 0, 0, 0, NULL},
	{{"ro", "rw"}, 0, MS_RDONLY, 0, 0, 0, 0, NULL},
	{{"rw", "ro"}, MS_RDONLY, 0, 0, 0, 0, 0, NULL},
	{{"nosuid", "nodev", "noexec"}, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, 0, 0, 0, 0, NULL},
	{{"suid", "dev", "exec"}, 0, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, 0, 0, 0, NULL},
	{{"sync"}, MS_SYNCHRONOUS, 0, 0, 0, 0, 0, NULL},
	{{"async"}, 0, MS_SYNCHRONOUS, 0, 0, 0, 0, NULL},
	{{"dirsync"}, MS_DIRSYNC, 0, 0, 0, 0, 0, NULL},
	{{"mand"}, MS_MANDLOCK, 0, 0, 0, 0, 0, NULL},
	{{"nomand"}, 0, MS_MANDLOCK, 0, 0, 0, 0, NULL},
	{{"noatime"}, MS_NOATIME, 0, 0, 0, 0, 0, NULL},
	{{"atime"}, 0, MS_NOATIME, 0, 0, 0, 0, NULL},
	{{"nodiratime"}, MS_NODIRATIME, 0, 0, 0, 0, 0, NULL},
	{{"diratime"}, 0, MS_NODIRATIME, 0, 0, 0, 0, NULL},
	{{"relatime"}, MS_RELATIME, 0, 0, 0, 0, 0, NULL},
	{{"norelatime"}, 0, MS_RELATIME, 0, 0, 0, 0, NULL},
	{{"strictatime"}, MS_STRICTATIME, 0, 0, 0, 0, 0, NULL},
	{{"nostrictatime"}, 0, MS_STRICTATIME, 0, 0, 0, 0, NULL},
	{{"iversion"}, MS_I_VERSION, 0, 0, 0, 0, 0, NULL},
	{{"noiversion"}, 0, MS_I_VERSION, 0, 0, 0, 0, NULL},
	{{"lazytime"}, MS_LAZYTIME, 0, 0, 0, 0, 0, NULL},
	{{"nolazytime"}, 0, MS_LAZYTIME, 0, 0, 0, 0, NULL},
	{{"silent"}, MS_SILENT, 0, 0, 0, 0, 0, NULL},
	{{"loud"}, 0, MS_SILENT, 0, 0, 0, 0, NULL},
	{{"nosymfollow"}, MS_NOSYMFOLLOW, 0, 0, 0, 0, 0, NULL},
	{{"remount", "ro"}, MS_REMOUNT | MS_RDONLY, 0, 0, 0, 0, 0, NULL},
	{{"bind"}, MS_BIND, 0, 0, 0, 0, 0, NULL},
	{{"rbind"}, MS_BIND | MS_REC, 0, 0, 0, 0, 0, NULL},
	{{"rbind", "bind"}, MS_BIND | MS_REC, 0, 0, 0, 0, 0, NULL},
	{{"private"}, 0, 0, MS_PRIVATE, 1, 0, 0, NULL},
	{{"rprivate"}, 0, 0, MS_PRIVATE | MS_REC, 1, 0, 0, NULL},
	{{"shared"}, 0, 0, MS_SHARED, 1, 0, 0, NULL},
	{{"rshared"}, 0, 0, MS_SHARED | MS_REC, 1, 0, 0, NULL},
	{{"slave"}, 0, 0, MS_SLAVE, 1, 0, 0, NULL},
	{{"rslave"}, 0, 0, MS_SLAVE | MS_REC, 1, 0, 0, NULL},
	{{"unbindable"}, 0, 0, MS_UNBINDABLE, 1, 0, 0, NULL},
	{{"runbindable"}, 0, 0, MS_UNBINDABLE | MS_REC, 1, 0, 0, NULL},
	{{"rshared", "rslave"}, 0, 0, MS_SLAVE | MS_REC, 2, 0, 0, NULL},
	{{"rro"}, 0, 0, 0, 0, A_RDONLY, 0, NULL},
	{{"rrw"}, 0, 0, 0, 0, 0, A_RDONLY, NULL},
	{{"rro", "rrw"}, 0, 0, 0, 0, 0, A_RDONLY, NULL},
	{{"rnosuid", "rnodev", "rnoexec"}, 0, 0, 0, 0, A_NOSUID | A_NODEV | A_NOEXEC, 0, NULL},
	{{"rsuid", "rdev", "rexec"}, 0, 0, 0, 0, 0, A_NOSUID | A_NODEV | A_NOEXEC, NULL},
	{{"rnodiratime"}, 0, 0, 0, 0, A_NODIRATIME, 0, NULL},
	{{"rdiratime"}, 0, 0, 0, 0, 0, A_NODIRATIME, NULL},
	{{"rnosymfollow"}, 0, 0, 0, 0, A_NOSYMFOLLOW, 0, NULL},
	{{"rnoatime"}, 0, 0, 0, 0, A_NOATIME, A__ATIME, NULL},
	{{"rstrictatime"}, 0, 0, 0, 0, A_STRICTATIME, A__ATIME, NULL},
	{{"rrelatime"}, 0, 0, 0, 0, 0, A__ATIME, NULL},
	{{"ratime"}, 0, 0, 0, 0, 0, A__ATIME, NULL},
	{{"rnostrictatime"}, 0, 0, 0, 0, 0, A__ATIME, NULL},
	{{"rnorelatime"}, 0, 0, 0, 0, A_STRICTATIME, A__ATIME, NULL},
	{{"rnoatime", "rstrictatime"}, 0, 0, 0, 0, A_STRICTATIME, A__ATIME, NULL},
	{{"mode=755", "size=65536k"}, 0, 0, 0, 0, 0, 0, "mode=755,size=65536k"},
	{{"newinstance", "ptmxmode=0666", "mode=0620", "gid=5", "nosuid", "noexec"},
	 MS_NOSUID | MS_NOEXEC, 0, 0, 0, 0, 0, "newinstance,ptmxmode=0666,mode=0620,gid=5"},
	{{"lowerdir=/a:/b,upperdir=/c"}, 0, 0, 0, 0, 0, 0, "lowerdir=/a:/b,upperdir=/c"},
	/* Known to libmount as mount(8) conveniences, but not OCI options:
	 * they go to the filesystem, as with runc. */
	{{"user", "owner"}, 0, 0, 0, 0, 0, 0, "user,owner"},
	/* An element is never split: "ro,nosuid" is data, not two flags. */
	{{"ro,nosuid"}, 0, 0, 0, 0, 0, 0, "ro,nosuid"},
	{{"context=\"system_u:object_r:foo_t:s0:c1,c2\""}, 0, 0, 0, 0, 0, 0,
	 "context=\"system_u:object_r:foo_t:s0:c1,c2\""},
};

static void table_cases(void)
{
	for (size_t i = 0; i < OC_ARRAY_SIZE(cases); i++) {
		const struct mcase *c = &cases[i];
		struct oc_mount_opts o;
		oc_error_t err = OC_ERROR_INIT;
		char label[256] = "";
		size_t n = 0;
		int r;

		while (n < 8 && c->opts[n] != NULL) {
			strncat(label, c->opts[n], sizeof label - strlen(label) - 2);
			strcat(label, " ");
			n++;
		}
		r = oc_mountopt_parse((char **) c->opts, n, &o, &err);
		TAP_OK(r == 0, "[%s] parses", label);
		if (r < 0) {
			printf("# %s\n", err.msg);
			oc_error_clear(&err);
			continue;
		}
		TAP_OK(o.flags == c->flags && o.clear_flags == c->clear,
		       "[%s] flags %#lx/%#lx (want %#lx/%#lx)", label, o.flags, o.clear_flags, c->flags, c->clear);
		TAP_OK(o.propagation == c->prop && o.n_propagation == c->nprop,
		       "[%s] propagation %#lx x%zu (want %#lx x%zu)", label, o.propagation, o.n_propagation, c->prop,
		       c->nprop);
		TAP_OK(o.attr_set == c->aset && o.attr_clr == c->aclr && o.attr_recursive == (c->aset || c->aclr),
		       "[%s] attrs %#llx/%#llx (want %#llx/%#llx)", label, (unsigned long long) o.attr_set,
		       (unsigned long long) o.attr_clr, (unsigned long long) c->aset, (unsigned long long) c->aclr);
		TAP_STREQ(o.data, c->data, "[%s] data", label);
		TAP_OK(o.ro_requested == ((c->flags & MS_RDONLY) != 0), "[%s] ro_requested", label);
		TAP_OK(o.bind == ((c->flags & MS_BIND) != 0) && o.rbind == ((c->flags & MS_REC) != 0),
		       "[%s] bind/rbind", label);
		oc_mountopt_release(&o);
	}
}

static void special_cases(void)
{
	char *opts1[] = {"tmpcopyup", "mode=1777"};
	char *opts2[] = {"idmap", "bind"};
	char *opts3[] = {"ridmap", "rbind"};
	char *opts4[] = {"rshared", "rslave", "rprivate", "shared"};
	char *bad1[] = {"ro", ""};
	char *bad2[] = {"shared", "shared", "shared", "shared", "shared", "shared", "shared", "shared", "shared"};
	struct oc_mount_opts o;
	oc_error_t err = OC_ERROR_INIT;

	TAP_OK(oc_mountopt_parse(opts1, 2, &o, &err) == 0 && o.tmpcopyup && o.data && strcmp(o.data, "mode=1777") == 0,
	       "tmpcopyup is a flag, not data");
	oc_mountopt_release(&o);
	TAP_OK(oc_mountopt_parse(opts2, 2, &o, &err) == 0 && o.idmap && !o.ridmap && o.bind && o.data == NULL &&
		       o.attr_set == 0,
	       "idmap");
	oc_mountopt_release(&o);
	TAP_OK(oc_mountopt_parse(opts3, 2, &o, &err) == 0 && o.idmap && o.ridmap && o.rbind, "ridmap");
	oc_mountopt_release(&o);
	TAP_OK(oc_mountopt_parse(opts4, 4, &o, &err) == 0 && o.n_propagation == 4 &&
		       o.propagation_list[0] == (MS_SHARED | MS_REC) && o.propagation_list[1] == (MS_SLAVE | MS_REC) &&
		       o.propagation_list[2] == (MS_PRIVATE | MS_REC) && o.propagation_list[3] == MS_SHARED &&
		       o.propagation == MS_SHARED,
	       "propagation options kept in order");
	oc_mountopt_release(&o);
	o.data = (char *) "sentinel";
	TAP_OK(oc_mountopt_parse(bad1, 2, &o, &err) < 0 && err.msg && strcmp(err.msg, "empty mount option") == 0 &&
		       strcmp(o.data, "sentinel") == 0,
	       "empty option refused, out untouched");
	oc_error_clear(&err);
	TAP_OK(oc_mountopt_parse(bad2, 9, &o, &err) < 0 && err.msg && strstr(err.msg, "propagation") != NULL,
	       "too many propagation options refused");
	oc_error_clear(&err);
	TAP_OK(oc_mountopt_parse(NULL, 0, &o, &err) == 0 && o.flags == 0 && o.data == NULL, "no options");
	oc_mountopt_release(&o);
	oc_mountopt_release(NULL);
	TAP_OK(1, "release(NULL) is fine");
}

/* As root, in a private mount namespace: rro on a tmpfs with a submount
 * makes both read-only. */
static void setattr_case(void)
{
	char dir[] = "/tmp/oc-test-mountopt-XXXXXX";
	pid_t pid;
	int status = 0;

	if (geteuid() != 0) {
		printf("ok %d - mount_setattr rro # skip not root\n", ++tap_n);
		return;
	}
	if (mkdtemp(dir) == NULL) {
		printf("ok %d - mount_setattr rro # skip mkdtemp failed\n", ++tap_n);
		return;
	}
	pid = fork();
	if (pid == 0) {
		char *opts[] = {"rro", "rnosuid"};
		char sub[64];
		struct oc_mount_opts o;
		oc_error_t err = OC_ERROR_INIT;
		struct statvfs a, b;
		int fd;

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(77);
		if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") < 0)
			_exit(77);
		snprintf(sub, sizeof sub, "%s/sub", dir);
		if (mkdir(sub, 0755) < 0 || mount("tmpfs", sub, "tmpfs", 0, "size=64k") < 0)
			_exit(77);
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || oc_mountopt_parse(opts, 2, &o, &err) < 0)
			_exit(2);
		if (oc_mountopt_mount_setattr(fd, &o, &err) < 0) {
			printf("# %s\n", err.msg);
			_exit(err.code == ENOSYS ? 77 : 3);
		}
		if (statvfs(dir, &a) < 0 || statvfs(sub, &b) < 0)
			_exit(4);
		_exit((a.f_flag & ST_RDONLY) && (b.f_flag & ST_RDONLY) && (b.f_flag & ST_NOSUID) ? 0 : 5);
	}
	waitpid(pid, &status, 0);
	rmdir(dir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		printf("ok %d - mount_setattr rro # skip no mount namespace or mount_setattr here\n", ++tap_n);
	else
		TAP_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "mount_setattr rro,rnosuid reaches submounts (status %d)",
		       status);
}

int main(void)
{
	table_cases();
	special_cases();
	setattr_case();
	return tap_done();
}
