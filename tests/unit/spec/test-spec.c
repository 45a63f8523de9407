/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The config.json decoder and validator: a fixture with every field of
 * runtime-spec 1.2 decoded and checked field by field, the default spec
 * read back, and bad configs with the exact error each must give. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../tap.h"
#include "ocichroot/common.h"
#include "ocichroot/json.h"
#include "ocichroot/spec.h"

#define STRV_EQ(v, n, ...)                                                        \
	({                                                                        \
		const char *want_[] = {__VA_ARGS__};                              \
		bool eq_ = (n) == OC_ARRAY_SIZE(want_) && (v) != NULL;            \
		for (size_t i_ = 0; eq_ && i_ < OC_ARRAY_SIZE(want_); i_++)       \
			eq_ = strcmp((v)[i_], want_[i_]) == 0;                    \
		eq_ = eq_ && (v)[(n)] == NULL;                                    \
		eq_;                                                              \
	})

static char *fixture(const char *name)
{
	const char *dir = getenv("OC_FIXTURES");

	return oc_xasprintf("%s/spec/fixtures/%s", dir ? dir : "tests/unit", name);
}

static void check_process(const struct oc_spec_process *p)
{
	TAP_OK(p != NULL, "process present");
	if (p == NULL)
		return;
	TAP_OK(p->terminal, "process.terminal");
	TAP_OK(p->console_size && p->console_size->height == 25 && p->console_size->width == 80,
	       "process.consoleSize");
	TAP_OK(p->user && p->user->uid == 1000 && p->user->gid == 1001, "process.user.uid/gid");
	TAP_OK(p->user && p->user->has_umask && p->user->umask == 18, "process.user.umask");
	TAP_OK(p->user && p->user->n_additional_gids == 3 && p->user->additional_gids[0] == 5 &&
		       p->user->additional_gids[2] == 4294967295u,
	       "process.user.additionalGids");
	TAP_STREQ(p->user ? p->user->username : NULL, "alice", "process.user.username");
	TAP_OK(STRV_EQ(p->args, p->n_args, "/bin/sh", "-c", "echo hi"), "process.args (NULL-terminated)");
	TAP_STREQ(p->command_line, "sh -c \"echo hi\"", "process.commandLine");
	TAP_OK(STRV_EQ(p->env, p->n_env, "PATH=/usr/bin:/bin", "TERM=xterm", "LANG=C.UTF-8"), "process.env");
	TAP_STREQ(p->cwd, "/home/alice", "process.cwd");
	TAP_OK(p->capabilities != NULL, "process.capabilities");
	if (p->capabilities) {
		const struct oc_spec_capabilities *k = p->capabilities;
		TAP_OK(STRV_EQ(k->bounding, k->n_bounding, "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"),
		       "capabilities.bounding");
		TAP_OK(STRV_EQ(k->effective, k->n_effective, "CAP_KILL"), "capabilities.effective");
		TAP_OK(k->inheritable != NULL && k->n_inheritable == 0, "capabilities.inheritable empty, not absent");
		TAP_OK(STRV_EQ(k->permitted, k->n_permitted, "CAP_KILL", "CAP_SYS_ADMIN"), "capabilities.permitted");
		TAP_OK(STRV_EQ(k->ambient, k->n_ambient, "CAP_NET_BIND_SERVICE"), "capabilities.ambient");
	}
	TAP_OK(p->n_rlimits == 2, "process.rlimits count");
	if (p->n_rlimits == 2) {
		TAP_STREQ(p->rlimits[0].type, "RLIMIT_NOFILE", "rlimits[0].type");
		TAP_OK(p->rlimits[0].resource == RLIMIT_NOFILE, "rlimits[0] resolved");
		TAP_OK(p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 4096, "rlimits[0] soft/hard");
		TAP_OK(p->rlimits[1].resource == RLIMIT_CORE && p->rlimits[1].hard == UINT64_MAX &&
			       p->rlimits[1].soft == 0,
		       "rlimits[1] with hard = UINT64_MAX");
	}
	TAP_OK(p->no_new_privileges, "process.noNewPrivileges");
	TAP_STREQ(p->apparmor_profile, "acme_secure_profile", "process.apparmorProfile");
	TAP_OK(p->has_oom_score_adj && p->oom_score_adj == -500, "process.oomScoreAdj");
	TAP_OK(p->scheduler != NULL, "process.scheduler");
	if (p->scheduler) {
		const struct oc_spec_scheduler *s = p->scheduler;
		TAP_STREQ(s->policy, "SCHED_DEADLINE", "scheduler.policy");
		TAP_OK(s->has_nice && s->nice == -5 && s->has_priority && s->priority == 10, "scheduler nice/priority");
		TAP_OK(STRV_EQ(s->flags, s->n_flags, "SCHED_FLAG_RESET_ON_FORK"), "scheduler.flags");
		TAP_OK(s->has_runtime && s->runtime == 1000000 && s->has_deadline && s->deadline == 2000000 &&
			       s->has_period && s->period == 3000000,
		       "scheduler runtime/deadline/period");
	}
	TAP_STREQ(p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675", "process.selinuxLabel");
	TAP_OK(p->io_priority && strcmp(p->io_priority->class_, "IOPRIO_CLASS_BE") == 0 &&
		       p->io_priority->priority == 4,
	       "process.ioPriority");
	TAP_OK(p->exec_cpu_affinity && strcmp(p->exec_cpu_affinity->initial, "0-3,7") == 0 &&
		       strcmp(p->exec_cpu_affinity->final, "4") == 0,
	       "process.execCPUAffinity");
}

static void check_resources(const struct oc_spec_resources *r)
{
	TAP_OK(r != NULL, "linux.resources present");
	if (r == NULL)
		return;
	TAP_OK(r->n_devices == 3, "resources.devices count");
	if (r->n_devices == 3) {
		TAP_OK(!r->devices[0].allow && r->devices[0].type == 'a' && !r->devices[0].has_major &&
			       strcmp(r->devices[0].access, "rwm") == 0,
		       "resources.devices[0] deny all");
		TAP_OK(r->devices[1].allow && r->devices[1].type == 'c' && r->devices[1].has_major &&
			       r->devices[1].major == 10 && r->devices[1].has_minor && r->devices[1].minor == 229,
		       "resources.devices[1]");
		TAP_OK(r->devices[2].type == 'b' && r->devices[2].has_major && !r->devices[2].has_minor,
		       "resources.devices[2] without minor");
	}
	TAP_OK(r->memory != NULL, "resources.memory");
	if (r->memory) {
		const struct oc_spec_memory *m = r->memory;
		TAP_OK(m->has_limit && m->limit == 536870912 && m->has_reservation && m->reservation == 536870912,
		       "memory limit/reservation");
		TAP_OK(m->has_swap && m->swap == -1 && m->has_kernel && m->kernel == -1 && m->has_kernel_tcp &&
			       m->kernel_tcp == -1,
		       "memory swap/kernel/kernelTCP");
		TAP_OK(m->has_swappiness && m->swappiness == 0, "memory swappiness 0 is present");
		TAP_OK(m->has_disable_oom_killer && !m->disable_oom_killer && m->has_use_hierarchy &&
			       m->use_hierarchy && m->has_check_before_update && m->check_before_update,
		       "memory booleans");
	}
	TAP_OK(r->cpu != NULL, "resources.cpu");
	if (r->cpu) {
		const struct oc_spec_cpu *c = r->cpu;
		TAP_OK(c->has_shares && c->shares == 1024 && c->has_quota && c->quota == 1000000 && c->has_burst &&
			       c->burst == 1000 && c->has_period && c->period == 500000,
		       "cpu shares/quota/burst/period");
		TAP_OK(c->has_realtime_runtime && c->realtime_runtime == 950000 && c->has_realtime_period &&
			       c->realtime_period == 1000000,
		       "cpu realtime");
		TAP_OK(strcmp(c->cpus, "2-3") == 0 && strcmp(c->mems, "0-7") == 0 && c->has_idle && c->idle == 1,
		       "cpu cpus/mems/idle");
	}
	TAP_OK(r->pids && r->pids->has_limit && r->pids->limit == 32771, "resources.pids.limit");
	TAP_OK(r->blockio != NULL, "resources.blockIO");
	if (r->blockio) {
		const struct oc_spec_blockio *b = r->blockio;
		TAP_OK(b->has_weight && b->weight == 10 && b->has_leaf_weight && b->leaf_weight == 10,
		       "blockIO weight/leafWeight");
		TAP_OK(b->n_weight_device == 2 && b->weight_device[0].major == 8 && b->weight_device[0].minor == 0 &&
			       b->weight_device[0].weight == 500 && b->weight_device[0].has_leaf_weight &&
			       b->weight_device[0].leaf_weight == 300 && !b->weight_device[1].has_leaf_weight &&
			       b->weight_device[1].minor == 16,
		       "blockIO.weightDevice");
		TAP_OK(b->n_throttle_read_bps_device == 1 && b->throttle_read_bps_device[0].rate == 600 &&
			       b->n_throttle_write_bps_device == 1 && b->throttle_write_bps_device[0].rate == 700 &&
			       b->n_throttle_read_iops_device == 1 && b->throttle_read_iops_device[0].minor == 32 &&
			       b->throttle_read_iops_device[0].rate == 800 && b->n_throttle_write_iops_device == 1 &&
			       b->throttle_write_iops_device[0].rate == 900,
		       "blockIO throttles");
	}
	TAP_OK(r->n_hugepage_limits == 2 && strcmp(r->hugepage_limits[0].page_size, "2MB") == 0 &&
		       r->hugepage_limits[0].limit == 209715200 && r->hugepage_limits[1].limit == 1073741824,
	       "resources.hugepageLimits");
	TAP_OK(r->network && r->network->has_class_id && r->network->class_id == 1048577 &&
		       r->network->n_priorities == 2 && strcmp(r->network->priorities[1].name, "eth1") == 0 &&
		       r->network->priorities[1].priority == 1000,
	       "resources.network");
	TAP_OK(r->n_rdma == 2 && strcmp(r->rdma[0].device, "mlx5_1") == 0 && r->rdma[0].has_hca_handles &&
		       r->rdma[0].hca_handles == 3 && r->rdma[0].hca_objects == 10000 && !r->rdma[1].has_hca_handles &&
		       r->rdma[1].has_hca_objects && r->rdma[1].hca_objects == 1000,
	       "resources.rdma (map, file order)");
	TAP_OK(r->n_unified == 2 && strcmp(r->unified_keys[0], "io.weight") == 0 &&
		       strcmp(r->unified_values[0], "default 100") == 0 && strcmp(r->unified_keys[1], "memory.high") == 0 &&
		       strcmp(r->unified_values[1], "max") == 0,
	       "resources.unified");
}

static void check_linux(const struct oc_spec_linux *l)
{
	static const enum oc_ns_type want_ns[] = {OC_NS_PID,  OC_NS_NETWORK, OC_NS_MOUNT,  OC_NS_IPC,
						  OC_NS_UTS,  OC_NS_USER,    OC_NS_CGROUP, OC_NS_TIME};
	bool ns_ok;

	TAP_OK(l != NULL, "linux present");
	if (l == NULL)
		return;
	ns_ok = l->n_namespaces == OC_ARRAY_SIZE(want_ns);
	for (size_t i = 0; ns_ok && i < l->n_namespaces; i++)
		ns_ok = l->namespaces[i].type == want_ns[i] && (i == 1) == (l->namespaces[i].path != NULL);
	TAP_OK(ns_ok, "linux.namespaces types and paths");
	TAP_STREQ(l->n_namespaces > 1 ? l->namespaces[1].path : NULL, "/var/run/netns/neta", "namespace path");
	TAP_OK(l->n_uid_mappings == 1 && l->uid_mappings[0].container_id == 0 && l->uid_mappings[0].host_id == 1000 &&
		       l->uid_mappings[0].size == 32000,
	       "linux.uidMappings");
	TAP_OK(l->n_gid_mappings == 1 && l->gid_mappings[0].size == 32000, "linux.gidMappings");
	TAP_OK(l->n_time_offsets == 2 && strcmp(l->time_offsets[0].clock, "monotonic") == 0 &&
		       l->time_offsets[0].secs == 172800 && strcmp(l->time_offsets[1].clock, "boottime") == 0 &&
		       l->time_offsets[1].secs == -3600 && l->time_offsets[1].nanosecs == 500,
	       "linux.timeOffsets");
	TAP_OK(l->n_devices == 3, "linux.devices count");
	if (l->n_devices == 3) {
		const struct oc_spec_device *d = l->devices;
		TAP_OK(d[0].type == 'c' && strcmp(d[0].path, "/dev/fuse") == 0 && d[0].major == 10 && d[0].minor == 229 &&
			       d[0].has_file_mode && d[0].file_mode == 0666 && d[0].has_uid && d[0].uid == 0 &&
			       d[0].has_gid,
		       "linux.devices[0]");
		TAP_OK(d[1].type == 'b' && !d[1].has_file_mode && !d[1].has_uid, "linux.devices[1]");
		TAP_OK(d[2].type == 'p', "linux.devices[2] fifo");
	}
	TAP_OK(l->n_net_devices == 2 && strcmp(l->net_devices[0].host_name, "eth1") == 0 &&
		       strcmp(l->net_devices[0].name, "ctr0") == 0 && l->net_devices[1].name == NULL,
	       "linux.netDevices");
	TAP_STREQ(l->cgroups_path, "/myRuntime/myContainer", "linux.cgroupsPath");
	check_resources(l->resources);
	TAP_OK(l->intel_rdt && strcmp(l->intel_rdt->clos_id, "guaranteed_group") == 0 &&
		       strcmp(l->intel_rdt->l3_cache_schema, "L3:0=7f0;1=1f") == 0 &&
		       strcmp(l->intel_rdt->mem_bw_schema, "MB:0=20;1=70") == 0 && l->intel_rdt->enable_cmt &&
		       !l->intel_rdt->enable_mbm,
	       "linux.intelRdt");
	TAP_OK(l->n_sysctl == 3 && strcmp(l->sysctl_keys[0], "net.ipv4.ip_forward") == 0 &&
		       strcmp(l->sysctl_values[0], "1") == 0 && strcmp(l->sysctl_keys[2], "fs.mqueue.msg_max") == 0,
	       "linux.sysctl");
	TAP_OK(l->seccomp != NULL, "linux.seccomp");
	if (l->seccomp) {
		const struct oc_spec_seccomp *s = l->seccomp;
		TAP_STREQ(s->default_action, "SCMP_ACT_ERRNO", "seccomp.defaultAction");
		TAP_OK(s->has_default_errno_ret && s->default_errno_ret == 1, "seccomp.defaultErrnoRet");
		TAP_OK(STRV_EQ(s->architectures, s->n_architectures, "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
			       "SCMP_ARCH_X32"),
		       "seccomp.architectures");
		TAP_OK(STRV_EQ(s->flags, s->n_flags, "SECCOMP_FILTER_FLAG_LOG"), "seccomp.flags");
		TAP_STREQ(s->listener_path, "/run/seccomp-agent.sock", "seccomp.listenerPath");
		TAP_STREQ(s->listener_metadata, "meta", "seccomp.listenerMetadata");
		TAP_OK(s->n_syscalls == 3, "seccomp.syscalls count");
		if (s->n_syscalls == 3) {
			const struct oc_spec_seccomp_syscall *sc = &s->syscalls[2];
			TAP_OK(STRV_EQ(s->syscalls[0].names, s->syscalls[0].n_names, "getcwd", "chmod") &&
				       !s->syscalls[0].has_errno_ret,
			       "syscalls[0]");
			TAP_OK(sc->has_errno_ret && sc->errno_ret == 38 && sc->n_args == 2, "syscalls[2] errnoRet");
			TAP_OK(sc->n_args == 2 && sc->args[0].index == 0 && sc->args[0].value == 8 &&
				       !sc->args[0].has_value_two && strcmp(sc->args[0].op, "SCMP_CMP_EQ") == 0 &&
				       sc->args[1].index == 1 && sc->args[1].has_value_two &&
				       sc->args[1].value_two == UINT64_MAX &&
				       strcmp(sc->args[1].op, "SCMP_CMP_MASKED_EQ") == 0,
			       "syscalls[2].args");
		}
	}
	TAP_STREQ(l->rootfs_propagation, "rslave", "linux.rootfsPropagation");
	TAP_OK(STRV_EQ(l->masked_paths, l->n_masked_paths, "/proc/kcore", "/proc/keys"), "linux.maskedPaths");
	TAP_OK(STRV_EQ(l->readonly_paths, l->n_readonly_paths, "/proc/sys", "/proc/sysrq-trigger"),
	       "linux.readonlyPaths");
	TAP_STREQ(l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811", "linux.mountLabel");
	TAP_OK(l->personality && strcmp(l->personality->domain, "LINUX32") == 0 && l->personality->n_flags == 0,
	       "linux.personality");
	TAP_OK(l->memory_policy && strcmp(l->memory_policy->mode, "MPOL_INTERLEAVE") == 0 &&
		       strcmp(l->memory_policy->nodes, "0-3") == 0 &&
		       STRV_EQ(l->memory_policy->flags, l->memory_policy->n_flags, "MPOL_F_STATIC_NODES"),
	       "linux.memoryPolicy");
}

static void test_full(void)
{
	cleanup_free char *path = fixture("full.json");
	cleanup_spec struct oc_spec *s = NULL;
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	int r = oc_spec_load(path, &s, &err);

	TAP_OK(r == 0, "full fixture loads (%s)", err.msg ? err.msg : "ok");
	if (r < 0)
		return;
	TAP_STREQ(s->oci_version, "1.2.0", "ociVersion");
	TAP_OK(s->root && strcmp(s->root->path, "rootfs") == 0 && s->root->readonly, "root");
	TAP_OK(s->n_mounts == 2, "mounts count");
	if (s->n_mounts == 2) {
		const struct oc_spec_mount *m = &s->mounts[1];
		TAP_OK(strcmp(s->mounts[0].destination, "/proc") == 0 && s->mounts[0].options == NULL &&
			       s->mounts[0].n_options == 0,
		       "mounts[0] without options");
		TAP_STREQ(m->destination, "/data", "relative mount destination joined to /");
		TAP_OK(strcmp(m->type, "bind") == 0 && strcmp(m->source, "/srv/data") == 0, "mounts[1] type/source");
		TAP_OK(STRV_EQ(m->options, m->n_options, "rbind", "ro", "idmap"), "mounts[1].options");
		TAP_OK(m->n_uid_mappings == 1 && m->uid_mappings[0].host_id == 100000 && m->uid_mappings[0].size == 65536 &&
			       m->n_gid_mappings == 1 && m->gid_mappings[0].host_id == 200000,
		       "mounts[1] id mappings");
		TAP_OK(m->json && m->json->line == 13 && m->json->col == 3, "mounts[1] position kept (13:3)");
	}
	check_process(s->process);
	TAP_STREQ(s->hostname, "box", "hostname");
	TAP_STREQ(s->domainname, "example.org", "domainname");
	TAP_OK(s->hooks != NULL, "hooks");
	if (s->hooks) {
		const struct oc_spec_hooks *h = s->hooks;
		bool each = true;
		for (int k = 0; k < OC_HOOK__MAX; k++)
			each = each && h->n_hooks[k] == 1;
		TAP_OK(each, "one hook of each kind");
		TAP_OK(each && strcmp(h->hooks[OC_HOOK_PRESTART][0].path, "/usr/bin/fix-mounts") == 0 &&
			       STRV_EQ(h->hooks[OC_HOOK_PRESTART][0].args, h->hooks[OC_HOOK_PRESTART][0].n_args,
				       "fix-mounts", "arg1") &&
			       STRV_EQ(h->hooks[OC_HOOK_PRESTART][0].env, h->hooks[OC_HOOK_PRESTART][0].n_env,
				       "key1=value1") &&
			       !h->hooks[OC_HOOK_PRESTART][0].has_timeout,
		       "hooks.prestart[0]");
		TAP_OK(each && strcmp(h->hooks[OC_HOOK_CREATE_RUNTIME][0].path, "/usr/bin/setup-network") == 0 &&
			       h->hooks[OC_HOOK_CREATE_CONTAINER][0].has_timeout &&
			       h->hooks[OC_HOOK_CREATE_CONTAINER][0].timeout == 5 &&
			       strcmp(h->hooks[OC_HOOK_START_CONTAINER][0].path, "/usr/bin/refresh-ldcache") == 0 &&
			       h->hooks[OC_HOOK_POSTSTART][0].timeout == 3 &&
			       strcmp(h->hooks[OC_HOOK_POSTSTOP][0].path, "/usr/sbin/cleanup.sh") == 0,
		       "hooks of the other kinds");
	}
	TAP_OK(s->n_annotations == 2 && strcmp(s->annotation_keys[0], "com.example.key1") == 0 &&
		       strcmp(s->annotation_values[1], "value2") == 0 && s->annotation_keys[2] == NULL,
	       "annotations");
	check_linux(s->linux);
	TAP_OK(oc_spec_find_namespace(s, OC_NS_TIME) != NULL, "find_namespace(time)");
	TAP_STREQ(oc_ns_type_name(OC_NS_NETWORK), "network", "ns type name");
	TAP_STREQ(oc_hook_kind_name(OC_HOOK_CREATE_CONTAINER), "createContainer", "hook kind name");
	if (s->process && s->process->user) {
		cleanup_error oc_error_t e2 = OC_ERROR_INIT;
		const char *want = ":25:11: process.user: later error";
		oc_json_error(s->process->user->json, &e2, "process.user: later error");
		TAP_OK(e2.msg && strlen(e2.msg) > strlen(want) &&
			       strcmp(e2.msg + strlen(e2.msg) - strlen(want), want) == 0 &&
			       strncmp(e2.msg, path, strlen(path)) == 0,
		       "a later error carries file:line:col (%s)", e2.msg);
	}
}

static void test_minimal(void)
{
	static const char js[] = "{\"ociVersion\":\"1.0.2-dev\",\"root\":{\"path\":\"r\"},\"hostname\":null,"
				 "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}}";
	cleanup_spec struct oc_spec *s = NULL;
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	int r = oc_spec_parse(js, strlen(js), "config.json", &s, &err);

	TAP_OK(r == 0, "minimal config parses (%s)", err.msg ? err.msg : "ok");
	if (r < 0)
		return;
	TAP_OK(s->linux == NULL && s->hooks == NULL && s->mounts == NULL && s->n_mounts == 0,
	       "absent objects are NULL");
	TAP_OK(s->hostname == NULL, "null hostname is absent");
	TAP_OK(s->process->capabilities == NULL && s->process->console_size == NULL &&
		       !s->process->has_oom_score_adj && s->process->scheduler == NULL,
	       "absent process members");
}

static void test_default(bool rootless)
{
	cleanup_free char *js = oc_spec_default_json(rootless);
	cleanup_spec struct oc_spec *s = NULL;
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	int r = oc_spec_parse(js, strlen(js), "config.json", &s, &err);

	TAP_OK(r == 0, "default spec (rootless=%d) parses back (%s)", rootless, err.msg ? err.msg : "ok");
	TAP_OK(js[strlen(js) - 1] == '}', "no trailing newline, like runc");
	TAP_OK(strstr(js, "\n\t\"ociVersion\": \"1.2.0\",\n") != NULL, "tab-indented, ociVersion 1.2.0");
	if (r < 0)
		return;
	TAP_OK(s->process && s->process->terminal && STRV_EQ(s->process->args, s->process->n_args, "sh"),
	       "runs sh on a terminal");
	TAP_OK(s->process && s->process->n_rlimits == 1 && s->process->rlimits[0].resource == RLIMIT_NOFILE &&
		       s->process->rlimits[0].soft == 1024 && s->process->rlimits[0].hard == 1024,
	       "RLIMIT_NOFILE 1024");
	TAP_OK(s->process && s->process->capabilities && s->process->capabilities->inheritable == NULL &&
		       s->process->capabilities->n_bounding == 3,
	       "3 capabilities, no inheritable set");
	TAP_OK(s->n_mounts == 7 && strcmp(s->mounts[5].destination, "/sys") == 0, "7 mounts");
	TAP_OK(s->linux && s->linux->n_masked_paths == 10 && s->linux->n_readonly_paths == 5,
	       "masked and readonly paths");
	if (!rootless) {
		TAP_OK(s->linux && s->linux->n_namespaces == 5 && oc_spec_find_namespace(s, OC_NS_NETWORK) &&
			       !oc_spec_find_namespace(s, OC_NS_USER) && !oc_spec_find_namespace(s, OC_NS_CGROUP),
		       "namespaces pid, network, ipc, uts, mount");
		TAP_OK(s->linux && s->linux->resources && s->linux->resources->n_devices == 1 &&
			       !s->linux->resources->devices[0].allow,
		       "device cgroup denies all");
		TAP_OK(s->n_mounts == 7 && STRV_EQ(s->mounts[2].options, s->mounts[2].n_options, "nosuid", "noexec",
						     "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
		       "devpts with gid=5");
	} else {
		TAP_OK(s->linux && s->linux->n_namespaces == 5 && !oc_spec_find_namespace(s, OC_NS_NETWORK) &&
			       oc_spec_find_namespace(s, OC_NS_USER),
		       "user namespace, no network namespace");
		TAP_OK(s->linux && s->linux->n_uid_mappings == 1 && s->linux->uid_mappings[0].host_id == geteuid() &&
			       s->linux->uid_mappings[0].container_id == 0 && s->linux->uid_mappings[0].size == 1 &&
			       s->linux->n_gid_mappings == 1 && s->linux->gid_mappings[0].host_id == getegid(),
		       "maps the caller to root");
		TAP_OK(s->linux && s->linux->resources == NULL, "no resources");
		TAP_OK(s->n_mounts == 7 && strcmp(s->mounts[5].type, "none") == 0 &&
			       strcmp(s->mounts[5].source, "/sys") == 0 &&
			       STRV_EQ(s->mounts[5].options, s->mounts[5].n_options, "rbind", "nosuid", "noexec", "nodev",
				       "ro"),
		       "/sys is an rbind");
		TAP_OK(s->n_mounts == 7 && STRV_EQ(s->mounts[2].options, s->mounts[2].n_options, "nosuid", "noexec",
						     "newinstance", "ptmxmode=0666", "mode=0620"),
		       "devpts without gid=5");
	}
}

static void test_process_and_resources(void)
{
	static const char proc[] = "{\"args\":[\"ls\",\"-l\"],\"cwd\":\"/tmp\",\"env\":[\"A=1\"],\"terminal\":false,"
				   "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"]}}";
	static const char bad_proc[] = "{\"args\":[],\"cwd\":\"/\"}";
	static const char res[] = "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":10},\"cpu\":{\"cpus\":\"0\"}}";
	static const char bad_res[] = "{\"memory\":{\"limit\":\"1M\"}}";
	cleanup_spec_process struct oc_spec_process *p = NULL;
	cleanup_spec_resources struct oc_spec_resources *r = NULL;
	cleanup_error oc_error_t err = OC_ERROR_INIT;

	TAP_OK(oc_spec_parse_process(proc, strlen(proc), "process.json", &p, &err) == 0, "bare process parses (%s)",
	       err.msg ? err.msg : "ok");
	TAP_OK(p && STRV_EQ(p->args, p->n_args, "ls", "-l") && strcmp(p->cwd, "/tmp") == 0 && p->capabilities &&
		       p->capabilities->n_bounding == 1,
	       "bare process fields");
	TAP_OK(oc_spec_parse_process(bad_proc, strlen(bad_proc), "process.json", NULL, &err) < 0,
	       "empty args refused");
	TAP_STREQ(err.msg, "process.json:1:9: args: must not be empty", "bare process error has no prefix");
	TAP_OK(oc_spec_parse_resources(res, strlen(res), "res.json", &r, &err) == 0, "bare resources parse");
	TAP_OK(r && r->memory && r->memory->limit == 1048576 && r->pids && r->pids->limit == 10 && r->cpu &&
		       strcmp(r->cpu->cpus, "0") == 0,
	       "bare resources fields");
	TAP_OK(oc_spec_parse_resources(bad_res, strlen(bad_res), "res.json", NULL, &err) < 0, "bad resources refused");
	TAP_STREQ(err.msg, "res.json:1:20: memory.limit: expected a 64-bit integer", "bare resources error");
}

static void test_load_errors(void)
{
	cleanup_spec struct oc_spec *s = NULL;
	cleanup_error oc_error_t err = OC_ERROR_INIT;

	TAP_OK(oc_spec_load("/nonexistent/config.json", &s, &err) < 0, "missing file");
	TAP_STREQ(err.msg, "open `/nonexistent/config.json`: No such file or directory", "missing file message");
	TAP_OK(s == NULL, "out not written on failure");
}

/* ---- bad configs ------------------------------------------------------- */

#define MIN_HEAD "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"

static const struct bad {
	const char *name;
	const char *json;
	const char *want;
} bad[] = {
	{"malformed: trailing comma", "{\"ociVersion\":\"1.0.0\",}",
	 "config.json:1:23: parse error: invalid object key (must be a string)"},
	{"malformed: missing colon", "{\n  \"ociVersion\" \"1.0.0\"\n}",
	 "config.json:2:16: parse error: object key and value must be separated by a colon (':')"},
	{"malformed: bare word", "{\"ociVersion\": yes}", "config.json:1:17: lexical error: invalid char in json text"},
	{"truncated", "{\n\t\"ociVersion\": \"1.0.0\",\n\t\"root\": {\"path\": ",
	 "config.json:3:19: parse error: premature EOF"},
	{"empty file", "", "config.json:1:1: parse error: premature EOF"},
	{"trailing garbage", MIN_HEAD "\"hostname\":\"h\",\"linux\":{\"namespaces\":[{\"type\":\"uts\"}]}} x",
	 "config.json:1:99: parse error: trailing garbage"},
	{"not an object", "[1]", "config.json:1:1: expected an object"},
	{"ociVersion wrong type", "{\"ociVersion\":1.0,\"root\":{\"path\":\"r\"}}",
	 "config.json:1:15: ociVersion: expected a string"},
	{"ociVersion missing", "{\"root\":{\"path\":\"r\"}}", "config.json:1:1: ociVersion: missing required field"},
	{"ociVersion 2", "{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}}",
	 "config.json:1:15: ociVersion: unsupported version \"2.0.0\""},
	{"ociVersion 10", "{\"ociVersion\":\"10.0\",\"root\":{\"path\":\"r\"}}",
	 "config.json:1:15: ociVersion: unsupported version \"10.0\""},
	{"root missing", "{\"ociVersion\":\"1.0.0\"}", "config.json:1:1: root: missing required field"},
	{"root.path missing", "{\"ociVersion\":\"1.0.0\",\"root\":{\"readonly\":true}}",
	 "config.json:1:30: root.path: missing required field"},
	{"root wrong type", "{\"ociVersion\":\"1.0.0\",\"root\":\"rootfs\"}", "config.json:1:30: root: expected an object"},
	{"uid as string", MIN_HEAD "\"process\":{\"user\":{\"uid\":\"0\"}}}",
	 "config.json:1:68: process.user.uid: expected an unsigned 32-bit integer"},
	{"uid negative", MIN_HEAD "\"process\":{\"user\":{\"uid\":-1}}}",
	 "config.json:1:68: process.user.uid: -1 is out of range for an unsigned 32-bit integer"},
	{"gid too large", MIN_HEAD "\"process\":{\"user\":{\"gid\":4294967296}}}",
	 "config.json:1:68: process.user.gid: 4294967296 is out of range for an unsigned 32-bit integer"},
	{"uid fractional", MIN_HEAD "\"process\":{\"user\":{\"uid\":1.5}}}",
	 "config.json:1:68: process.user.uid: expected an unsigned 32-bit integer, got 1.5"},
	{"terminal as string", MIN_HEAD "\"process\":{\"terminal\":\"yes\"}}",
	 "config.json:1:65: process.terminal: expected a boolean"},
	{"args element not string", MIN_HEAD "\"process\":{\"args\":[\"sh\",1],\"cwd\":\"/\"}}",
	 "config.json:1:67: process.args[1]: expected a string"},
	{"args empty", MIN_HEAD "\"process\":{\"args\":[],\"cwd\":\"/\"}}",
	 "config.json:1:61: process.args: must not be empty"},
	{"cwd relative", MIN_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"tmp\"}}",
	 "config.json:1:74: process.cwd: \"tmp\" is not an absolute path"},
	{"mounts not array", MIN_HEAD "\"mounts\":{}}", "config.json:1:52: mounts: expected an array"},
	{"mount destination wrong type", MIN_HEAD "\"mounts\":[{\"destination\":\"/a\"},{\"destination\":5}]}",
	 "config.json:1:89: mounts[1].destination: expected a string"},
	{"mount destination missing", MIN_HEAD "\"mounts\":[{\"destination\":\"/a\"},{\"type\":\"tmpfs\"}]}",
	 "config.json:1:74: mounts[1].destination: missing required field"},
	{"unknown namespace", MIN_HEAD "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"foo\"}]}}",
	 "config.json:1:89: linux.namespaces[1].type: unknown namespace type \"foo\""},
	{"duplicate namespace",
	 MIN_HEAD "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"pid\"}]}}",
	 "config.json:1:104: linux.namespaces[2].type: duplicate namespace \"pid\""},
	{"namespace type net", MIN_HEAD "\"linux\":{\"namespaces\":[{\"type\":\"net\"}]}}",
	 "config.json:1:74: linux.namespaces[0].type: unknown namespace type \"net\""},
	{"namespace path not absolute",
	 MIN_HEAD "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"proc/1/ns/net\"}]}}",
	 "config.json:1:91: linux.namespaces[0].path: \"proc/1/ns/net\" is not an absolute path"},
	{"user namespace without mappings", MIN_HEAD "\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}",
	 "config.json:1:66: linux.namespaces[0]: user namespaces enabled, but no uid mappings found"},
	{"mappings without user namespace",
	 MIN_HEAD "\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}}",
	 "config.json:1:66: linux.uidMappings: uid mappings given, but no user namespace requested"},
	{"unknown capability",
	 MIN_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\","
		  "\"CAP_CHOWN\",\"CAP_SETUID\",\"CAP_FOO\"]}}}",
	 "config.json:1:142: process.capabilities.bounding[3]: unknown capability \"CAP_FOO\""},
	{"lower-case capability",
	 MIN_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"capabilities\":{\"ambient\":[\"cap_kill\"]}}}",
	 "config.json:1:105: process.capabilities.ambient[0]: unknown capability \"cap_kill\""},
	{"rlimit soft > hard",
	 MIN_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2048,"
		  "\"hard\":1024}]}}",
	 "config.json:1:120: process.rlimits[0]: soft limit 2048 is greater than hard limit 1024"},
	{"rlimit unknown",
	 MIN_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,"
		  "\"hard\":1}]}}",
	 "config.json:1:97: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\""},
	{"rlimit hard overflow",
	 MIN_HEAD "\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551616}]}}",
	 "config.json:1:94: process.rlimits[0].hard: 18446744073709551616 is out of range for an unsigned 64-bit "
	 "integer"},
	{"oomScoreAdj out of range", MIN_HEAD "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"oomScoreAdj\":1001}}",
	 "config.json:1:92: process.oomScoreAdj: 1001 is out of range (-1000..1000)"},
	{"hostname without uts", MIN_HEAD "\"hostname\":\"box\"}",
	 "config.json:1:54: hostname: unable to set hostname without a private UTS namespace"},
	{"time offsets without time ns",
	 MIN_HEAD "\"linux\":{\"timeOffsets\":{\"monotonic\":{\"secs\":1,\"nanosecs\":0}}}}",
	 "config.json:1:66: linux.timeOffsets: time offsets require a time namespace"},
	{"device type", MIN_HEAD "\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"x\",\"major\":1,\"minor\":2}]}}",
	 "config.json:1:87: linux.devices[0].type: unknown device type \"x\" (want c, b, u or p)"},
	{"memory limit as string", MIN_HEAD "\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1g\"}}}}",
	 "config.json:1:83: linux.resources.memory.limit: expected a 64-bit integer"},
	{"seccomp unknown action", MIN_HEAD "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_MAYBE\"}}}",
	 "config.json:1:79: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_MAYBE\""},
	{"seccomp unknown arch",
	 MIN_HEAD "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}}}",
	 "config.json:1:113: linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\""},
	{"seccomp unknown operator",
	 MIN_HEAD "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		  "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_ABOUT\"}]}]}}}",
	 "config.json:1:186: linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ABOUT\""},
	{"sysctl not namespaced", MIN_HEAD "\"linux\":{\"sysctl\":{\"kernel.panic\":\"1\"}}}",
	 "config.json:1:77: linux.sysctl.kernel.panic: sysctl \"kernel.panic\" is not in a separate kernel namespace"},
	{"sysctl escaping /proc/sys",
	 MIN_HEAD "\"linux\":{\"namespaces\":[{\"type\":\"network\"}],\"sysctl\":{\"net/../../../x\":\"1\"}}}",
	 "config.json:1:113: linux.sysctl.net/../../../x: invalid sysctl name"},
	{"unified key with slash", MIN_HEAD "\"linux\":{\"resources\":{\"unified\":{\"../cgroup.procs\":\"1\"}}}}",
	 "config.json:1:94: linux.resources.unified.../cgroup.procs: invalid cgroup file name"},
	{"hook path relative", MIN_HEAD "\"hooks\":{\"poststop\":[{\"path\":\"bin/x\"}]}}",
	 "config.json:1:72: hooks.poststop[0].path: \"bin/x\" is not an absolute path"},
	{"duplicate key", "{\"ociVersion\":\"1.0.0\",\n\"root\":{\"path\":\"a\"},\n\"root\":{\"path\":\"b\"}}",
	 "config.json:3:1: duplicate key \"root\" (first at 2:1)"},
	{"duplicate nested key", MIN_HEAD "\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"uid\":5}}}",
	 "config.json:1:78: process.user: duplicate key \"uid\" (first at 1:62)"},
	{"NUL in string", MIN_HEAD "\"process\":{\"args\":[\"sh\\u0000-c\"],\"cwd\":\"/\"}}",
	 "config.json:1:62: process.args[0]: string contains a NUL character (\\u0000)"},
	{"NUL in key", MIN_HEAD "\"annotations\":{\"a\\u0000b\":\"x\"}}",
	 "config.json:1:58: annotations: key contains a NUL character (\\u0000)"},
	{"invalid UTF-8", MIN_HEAD "\"hostname\":\"\xff\"}", "config.json:1:56: lexical error: invalid bytes in UTF8 string"},
};

static void test_bad(void)
{
	for (size_t i = 0; i < OC_ARRAY_SIZE(bad); i++) {
		struct oc_spec *s = NULL;
		cleanup_error oc_error_t err = OC_ERROR_INIT;
		int r = oc_spec_parse(bad[i].json, strlen(bad[i].json), "config.json", &s, &err);

		TAP_OK(r < 0 && s == NULL, "bad config refused: %s", bad[i].name);
		TAP_STREQ(err.msg, bad[i].want, "error text: %s", bad[i].name);
		oc_spec_free(s);
	}
}

static void test_limits(void)
{
	cleanup_free char *deep = NULL;
	cleanup_free char *big = NULL;
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	struct oc_spec *s = NULL;
	size_t n = 0, levels = OC_SPEC_MAX_DEPTH + 1;

	/* {"ociVersion":"1.0.0","root":{"path":"r"},"annotations":[[[...]]]} */
	deep = oc_xmalloc(64 + 2 * levels);
	n += (size_t) sprintf(deep, MIN_HEAD "\"x\":");
	for (size_t i = 0; i < levels; i++)
		deep[n++] = '[';
	for (size_t i = 0; i < levels; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	TAP_OK(oc_spec_parse(deep, n, "config.json", &s, &err) < 0, "nesting deeper than the limit refused");
	{
		/* the root object is level 1, so the 64th '[' (column 110)
		 * is the 65th level; the path names the 63 arrays around it */
		char want[512] = "config.json:1:110: x";
		for (int i = 0; i < OC_SPEC_MAX_DEPTH - 1; i++)
			strcat(want, "[0]");
		strcat(want, ": nested deeper than 64 levels");
		TAP_STREQ(err.msg, want, "depth error text");
	}
	oc_spec_free(s);
	s = NULL;

	n = OC_SPEC_MAX_SIZE + 1;
	big = oc_xmalloc(n);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	TAP_OK(oc_spec_parse(big, n, "config.json", &s, &err) < 0, "input larger than 4 MiB refused");
	TAP_STREQ(err.msg, "config.json: larger than 4194304 bytes", "size error text");
	oc_spec_free(s);
}

/* Every truncation of the full fixture fails cleanly with a positioned
 * error, and single-byte corruptions either parse or fail the same way:
 * no crash, no leak (run under valgrind), no error without a position. */
static void test_mutations(void)
{
	cleanup_free char *path = fixture("full.json");
	cleanup_free char *buf = NULL;
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	size_t len = 0, bad_trunc = 0, bad_mut = 0, n_mut = 0;
	static const char subst[] = {'"', '}', ']', 'x', '0', '\\', ','};

	if (oc_json_read_file(path, OC_SPEC_MAX_SIZE, &buf, &len, &err) < 0) {
		TAP_OK(0, "read fixture: %s", err.msg);
		return;
	}
	for (size_t n = 0; n < len; n += 3) {
		struct oc_spec *s = NULL;
		/* the fixture ends in "}\n": only cuts before the brace are bad */
		if (n >= len - 1)
			break;
		if (oc_spec_parse(buf, n, "t.json", &s, &err) == 0 || s != NULL || err.msg == NULL ||
		    strncmp(err.msg, "t.json:", 7) != 0)
			bad_trunc++;
		oc_spec_free(s);
	}
	TAP_OK(bad_trunc == 0, "every truncation refused with a position (%zu bad)", bad_trunc);
	for (size_t i = 0; i < len; i += 5) {
		char saved = buf[i];
		struct oc_spec *s = NULL;
		buf[i] = subst[i % sizeof subst];
		oc_error_clear(&err);
		if (oc_spec_parse(buf, len, "t.json", &s, &err) < 0) {
			if (s != NULL || err.msg == NULL || strncmp(err.msg, "t.json:", 7) != 0)
				bad_mut++;
		}
		n_mut++;
		oc_spec_free(s);
		buf[i] = saved;
	}
	TAP_OK(bad_mut == 0, "%zu corruptions handled (%zu bad)", n_mut, bad_mut);
}

int main(void)
{
	test_full();
	test_minimal();
	test_default(false);
	test_default(true);
	test_process_and_resources();
	test_load_errors();
	test_bad();
	test_limits();
	test_mutations();
	return tap_done();
}
