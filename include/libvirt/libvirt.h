/* libvirt-compatible entry point: programs written for libvirt include this unchanged. */
#ifndef LIBVIRT_H
#define LIBVIRT_H
#include "../virtevent.h"
#endif
