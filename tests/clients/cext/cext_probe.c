/* A C extension module built from source against a distribution's headers and sysconfig: it
   adds two integers and says which compiler built it. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLong(a + b);
}

static PyObject *compiler(PyObject *self, PyObject *unused) {
#if defined(__clang__)
    return PyUnicode_FromString("clang " __clang_version__);
#elif defined(__GNUC__)
    return PyUnicode_FromString("gcc " __VERSION__);
#else
    return PyUnicode_FromString("unknown");
#endif
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "a + b"},
    {"compiler", compiler, METH_NOARGS, "the compiler that built this module"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "cext_probe", NULL, -1, methods};

PyMODINIT_FUNC PyInit_cext_probe(void) { return PyModule_Create(&module); }
