// Handles and objects through libzircon.so: close, close_many, duplicate, replace, get_info,
// the root resource and the root VMAR (docs/semantics.md §2, §9).

#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "ztest.h"

static zx_handle_t make_event(void) {
  zx_handle_t event = ZX_HANDLE_INVALID;
  if (zx_event_create(0, &event) != ZX_OK) return ZX_HANDLE_INVALID;
  return event;
}

ZT_TEST(close_invalid_handle_is_ok) {
  ZT_EXPECT_OK(zx_handle_close(ZX_HANDLE_INVALID));
}

ZT_TEST(close_bad_values_is_bad_handle) {
  // Low two bits not 0b11: never a handle.
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_handle_close(1));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_handle_close(0x1000));
  zx_handle_t event = make_event();
  ZT_ASSERT(event != ZX_HANDLE_INVALID);
  ZT_EXPECT_OK(zx_handle_close(event));
  // Closing twice: the value is gone.
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_handle_close(event));
}

ZT_TEST(handle_values_have_fixed_bits) {
  zx_handle_t handles[8];
  for (int i = 0; i < 8; i++) {
    handles[i] = make_event();
    ZT_EXPECT_EQ(ZX_HANDLE_FIXED_BITS_MASK, handles[i] & ZX_HANDLE_FIXED_BITS_MASK);
  }
  for (int i = 0; i < 8; i++) {
    for (int j = i + 1; j < 8; j++) ZT_CHECK(handles[i] != handles[j]);
  }
  ZT_EXPECT_OK(zx_handle_close_many(handles, 8));
}

ZT_TEST(get_info_handle_basic_event) {
  zx_handle_t event = make_event();
  ZT_ASSERT(event != ZX_HANDLE_INVALID);
  zx_info_handle_basic_t info;
  size_t actual = 99, avail = 99;
  ZT_EXPECT_OK(zx_object_get_info(event, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), &actual, &avail));
  ZT_EXPECT_EQ(1, actual);
  ZT_EXPECT_EQ(1, avail);
  ZT_CHECK(info.koid >= ZX_KOID_FIRST);
  ZT_EXPECT_EQ(ZX_DEFAULT_EVENT_RIGHTS, info.rights);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_EVENT, info.type);
  ZT_EXPECT_EQ(0, info.related_koid);
  ZT_EXPECT_EQ(ZX_OBJ_PROP_WAITABLE, info.props);

  // Koids are unique and increasing.
  zx_handle_t other = make_event();
  zx_info_handle_basic_t other_info = zt_basic_info(other);
  ZT_CHECK(other_info.koid > info.koid);
  zx_handle_close(other);
  zx_handle_close(event);
}

ZT_TEST(get_info_counts_buffers_and_topics) {
  zx_handle_t event = make_event();
  ZT_ASSERT(event != ZX_HANDLE_INVALID);
  // HANDLE_VALID needs no buffer.
  ZT_EXPECT_OK(zx_object_get_info(event, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
  // actual / avail may be NULL.
  zx_info_handle_basic_t info;
  ZT_EXPECT_OK(zx_object_get_info(event, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  // Too small: BUFFER_TOO_SMALL, and avail still says one record exists.
  size_t actual = 99, avail = 99;
  ZT_EXPECT_STATUS(ZX_ERR_BUFFER_TOO_SMALL,
                   zx_object_get_info(event, ZX_INFO_HANDLE_BASIC, &info, sizeof(info) - 1,
                                      &actual, &avail));
  ZT_EXPECT_EQ(0, actual);
  ZT_EXPECT_EQ(1, avail);
  ZT_EXPECT_STATUS(ZX_ERR_BUFFER_TOO_SMALL,
                   zx_object_get_info(event, ZX_INFO_HANDLE_BASIC, NULL, 0, NULL, &avail));
  // NULL buffer with a size: a bad user pointer.
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS,
                   zx_object_get_info(event, ZX_INFO_HANDLE_BASIC, NULL, sizeof(info), NULL, NULL));
  // Unknown topic.
  ZT_EXPECT_STATUS(ZX_ERR_NOT_SUPPORTED,
                   zx_object_get_info(event, 0x7fff, &info, sizeof(info), NULL, NULL));
  ZT_EXPECT_OK(zx_handle_close(event));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE,
                   zx_object_get_info(event, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE,
                   zx_object_get_info(event, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
}

ZT_TEST(duplicate_same_rights_and_subsets) {
  zx_handle_t event = make_event();
  ZT_ASSERT(event != ZX_HANDLE_INVALID);
  zx_info_handle_basic_t original = zt_basic_info(event);

  zx_handle_t dup = ZX_HANDLE_INVALID;
  ZT_ASSERT_OK(zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &dup));
  ZT_CHECK(dup != event);
  zx_info_handle_basic_t dup_info = zt_basic_info(dup);
  ZT_EXPECT_EQ(original.koid, dup_info.koid);
  ZT_EXPECT_EQ(original.rights, dup_info.rights);

  zx_handle_t narrow = ZX_HANDLE_INVALID;
  ZT_ASSERT_OK(zx_handle_duplicate(event, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT, &narrow));
  ZT_EXPECT_EQ(ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT, zt_basic_info(narrow).rights);

  // More rights than the source: INVALID_ARGS.
  zx_handle_t bad = ZX_HANDLE_INVALID;
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_handle_duplicate(event, ZX_RIGHT_EXECUTE, &bad));
  // The narrowed handle lacks DUPLICATE: ACCESS_DENIED.
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_handle_duplicate(narrow, ZX_RIGHT_SAME_RIGHTS, &bad));
  // ZX_RIGHT_NONE is allowed.
  zx_handle_t none = ZX_HANDLE_INVALID;
  ZT_EXPECT_OK(zx_handle_duplicate(event, ZX_RIGHT_NONE, &none));
  ZT_EXPECT_EQ(0, zt_basic_info(none).rights);
  // A NULL out pointer.
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, NULL));
  // A bad handle.
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_handle_duplicate(0x10000001u, ZX_RIGHT_SAME_RIGHTS, &bad));

  zx_handle_t all[] = {event, dup, narrow, none};
  ZT_EXPECT_OK(zx_handle_close_many(all, 4));
}

ZT_TEST(replace_consumes_the_source) {
  zx_handle_t event = make_event();
  ZT_ASSERT(event != ZX_HANDLE_INVALID);
  zx_koid_t koid = zt_basic_info(event).koid;

  zx_handle_t replaced = ZX_HANDLE_INVALID;
  ZT_ASSERT_OK(zx_handle_replace(event, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE,
                                 &replaced));
  ZT_CHECK(!zt_handle_valid(event));
  ZT_EXPECT_EQ(koid, zt_basic_info(replaced).koid);
  ZT_EXPECT_EQ(ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE, zt_basic_info(replaced).rights);

  // SAME_RIGHTS keeps them.
  zx_handle_t same = ZX_HANDLE_INVALID;
  ZT_ASSERT_OK(zx_handle_replace(replaced, ZX_RIGHT_SAME_RIGHTS, &same));
  ZT_CHECK(!zt_handle_valid(replaced));
  ZT_EXPECT_EQ(ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE, zt_basic_info(same).rights);

  // Not a subset: INVALID_ARGS, and the source is gone all the same.
  zx_handle_t bad = ZX_HANDLE_INVALID;
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_handle_replace(same, ZX_RIGHT_SIGNAL, &bad));
  ZT_CHECK(!zt_handle_valid(same));
  ZT_EXPECT_EQ(ZX_HANDLE_INVALID, bad);

  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_handle_replace(same, ZX_RIGHT_SAME_RIGHTS, &bad));
}

ZT_TEST(replace_with_null_out_still_consumes) {
  zx_handle_t event = make_event();
  ZT_ASSERT(event != ZX_HANDLE_INVALID);
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_handle_replace(event, ZX_RIGHT_SAME_RIGHTS, NULL));
  ZT_CHECK(!zt_handle_valid(event));
}

ZT_TEST(close_many_closes_all_and_reports_bad) {
  zx_handle_t a = make_event(), b = make_event(), c = make_event();
  zx_handle_t good[] = {a, ZX_HANDLE_INVALID, b};
  ZT_EXPECT_OK(zx_handle_close_many(good, 3));
  ZT_CHECK(!zt_handle_valid(a));
  ZT_CHECK(!zt_handle_valid(b));
  // One bad value: BAD_HANDLE, but the good ones still close.
  zx_handle_t mixed[] = {a, c};
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_handle_close_many(mixed, 2));
  ZT_CHECK(!zt_handle_valid(c));
  ZT_EXPECT_OK(zx_handle_close_many(NULL, 0));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_handle_close_many(NULL, 1));
}

ZT_TEST(root_resource) {
  zx_handle_t root = get_root_resource();
  ZT_ASSERT(root != ZX_HANDLE_INVALID);
  ZT_EXPECT_EQ(root, get_root_resource());
  zx_info_handle_basic_t info = zt_basic_info(root);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_RESOURCE, info.type);
  ZT_EXPECT_EQ(ZX_DEFAULT_RESOURCE_RIGHTS, info.rights);
  ZT_EXPECT_EQ(ZX_OBJ_PROP_NONE, info.props);
}

ZT_TEST(root_vmar) {
  zx_handle_t vmar = zx_vmar_root_self();
  ZT_ASSERT(vmar != ZX_HANDLE_INVALID);
  ZT_EXPECT_EQ(vmar, zx_vmar_root_self());
  zx_info_handle_basic_t basic = zt_basic_info(vmar);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_VMAR, basic.type);
  ZT_EXPECT_EQ(ZX_OBJ_PROP_NONE, basic.props);
  zx_info_vmar_t info = {0, 0};
  size_t actual = 0;
  ZT_EXPECT_OK(zx_object_get_info(vmar, ZX_INFO_VMAR, &info, sizeof(info), &actual, NULL));
  ZT_EXPECT_EQ(1, actual);
  ZT_CHECK(info.len > 0);
  ZT_EXPECT_EQ(0, info.base % ZX_PAGE_SIZE);
  // ZX_INFO_VMAR on something else: WRONG_TYPE.
  zx_handle_t event = make_event();
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE,
                   zx_object_get_info(event, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL));
  // The project's ZX_INFO_VCPU_FAULT answers only on a VCPU (hypervisor.c needs KVM for one).
  zx_info_vcpu_fault_t fault;
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE,
                   zx_object_get_info(event, ZX_INFO_VCPU_FAULT, &fault, sizeof(fault), NULL, NULL));
  zx_handle_close(event);
}

int main(void) {
  ZT_RUN(close_invalid_handle_is_ok);
  ZT_RUN(close_bad_values_is_bad_handle);
  ZT_RUN(handle_values_have_fixed_bits);
  ZT_RUN(get_info_handle_basic_event);
  ZT_RUN(get_info_counts_buffers_and_topics);
  ZT_RUN(duplicate_same_rights_and_subsets);
  ZT_RUN(replace_consumes_the_source);
  ZT_RUN(replace_with_null_out_still_consumes);
  ZT_RUN(close_many_closes_all_and_reports_bad);
  ZT_RUN(root_resource);
  ZT_RUN(root_vmar);
  return zt_finish("handles");
}
